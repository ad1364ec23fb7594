/** What every HTTP function needs: API-key authentication and the Idempotency-Key store. */
import { createIdempotency } from '../../adapters/dynamo/idempotency';
import { ApiKey } from '../../domain/tenancy';
import { config } from '../config';
import type { HttpDeps } from '../http/api';
import { dynamo, once } from './core';
import { tenants } from './tenancy';

export const httpDeps = /* @__PURE__ */ once<HttpDeps>(() => ({
  authenticate: (token) => ApiKey.authenticate(tenants(), token),
  idempotent: createIdempotency(dynamo().client, config().TABLE_NAME, config().IDEMPOTENCY_TTL_SECONDS),
}));
