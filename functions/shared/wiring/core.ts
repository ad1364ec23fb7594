/**
 * The wiring every function shares: the configuration's DynamoDB clients and the ElectroDB service, made
 * once per cold start (on first use). Each area has its own wiring module beside this one
 * (shared/wiring/<area>.ts), so a function bundles and loads only the adapters it uses: the companies
 * function never loads SES, SNS, S3 or nodemailer. Handlers get their ports only from here.
 */
import { createDynamoClients } from '../../adapters/dynamo/client';
import { createLoadedService } from '../../adapters/dynamo/entity-registry';
import { config } from '../config';

/**
 * A value made on first use and kept for the life of the container. Calling `once` has no effect by itself
 * (nothing is made until the value is asked for): wiring modules say so to esbuild, `export const x =
 * /* @__PURE__ *\/ once(...)`, so a function that does not use `x` bundles neither it nor the adapters it names.
 */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export const dynamo = /* @__PURE__ */ once(() => createDynamoClients(config()));
export const service = /* @__PURE__ */ once(() => createLoadedService(dynamo().doc, config().TABLE_NAME));
