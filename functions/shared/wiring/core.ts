/**
 * The wiring every function shares: the configuration's DynamoDB clients and the ElectroDB service, made
 * once per cold start (on first use). Each area has its own wiring module beside this one
 * (shared/wiring/<area>.ts), so a function bundles and loads only the adapters it uses: the companies
 * function never loads SES, SNS, S3 or nodemailer. Handlers get their ports only from here.
 */
import { createDynamoClients } from '../../adapters/dynamo/client';
import { createLoadedService } from '../../adapters/dynamo/entity-registry';
import { config } from '../config';

/** A value made on first use and kept for the life of the container. */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export const dynamo = once(() => createDynamoClients(config()));
export const service = once(() => createLoadedService(dynamo().doc, config().TABLE_NAME));
