import { createEventBus } from '../adapters/bus/event-bus';
import { createIdempotency } from '../adapters/dynamo/idempotency';
import { createDynamoClients } from '../adapters/dynamo/client';
import { crudRepository } from '../adapters/dynamo/crud-repository';
import { createService } from '../adapters/dynamo/service';
import { tenantsRepository } from '../adapters/dynamo/tenants-repository';
import { authenticate } from '../domain/api-keys';
import { config } from './config';
import type { HttpDeps } from './http/api';

/**
 * Adapters wired once per cold start (on first use) from the configuration. Handlers get their
 * ports only from here, so a handler never constructs an AWS client itself.
 */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export const dynamo = once(() => createDynamoClients(config()));
export const service = once(() => createService(dynamo().doc, config().TABLE_NAME));
export const tenants = once(() => tenantsRepository(service()));

export const repositories = once(() => {
  const { company, contact, product } = service().entities;
  return {
    companies: crudRepository<any>(company, 'company'),
    contacts: crudRepository<any>(contact, 'contact', ['companyId']),
    products: crudRepository<any>(product, 'product'),
  };
});

export const httpDeps = once<HttpDeps>(() => ({
  authenticate: (token) => authenticate(tenants(), token),
  idempotent: createIdempotency(dynamo().client, config().TABLE_NAME, config().IDEMPOTENCY_TTL_SECONDS),
}));

export const eventBus = once(() => createEventBus(config()));
