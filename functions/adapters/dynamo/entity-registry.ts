/**
 * The entities a function has loaded, and the ElectroDB service made of them. Each repository module
 * registers the entities it uses (`registerEntities({ quote: QuoteEntity, ... })` at its top), so a function
 * bundles and builds only the entities of the repositories it imports, not all of them (ElectroDB builds an
 * entity when its module is evaluated: about 1 ms each at cold start). service.ts names every entity of the
 * table (the full service, for tests and scripts) and registers them all when it is imported.
 *
 * A transaction's entities must be in one Service: every entity a repository's transactions use is in its
 * own registration, so they are all in the service whenever the repository is loaded.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Service } from 'electrodb';
import { SERVICE } from './common';
import type { CrmEntities, CrmService } from './service';

type Registered = Record<string, CrmEntities[keyof CrmEntities]>;

/** ElectroDB's Service as made from its name, joined entity by entity (its typings declare only the map form). */
interface JoinableService {
  join(name: string, entity: unknown): unknown;
}
const NamedService = Service as unknown as new (name: string, config: { client: DynamoDBDocumentClient; table: string }) => JoinableService;

const registered: Registered = {};
/** Services made by createLoadedService: an entity registered after one was made joins it too. */
const live: JoinableService[] = [];

/** Registers entities under their names in the service (the keys of CrmEntities). Idempotent. */
export function registerEntities(entities: Partial<CrmEntities>): void {
  for (const [name, entity] of Object.entries(entities) as [string, CrmEntities[keyof CrmEntities]][]) {
    const known = registered[name];
    if (known === entity) continue;
    if (known) throw new Error(`two entities registered as ${name}`);
    registered[name] = entity;
    for (const service of live) service.join(name, entity);
  }
}

/** The ElectroDB service of the entities registered so far (and those registered later), on the table and client. */
export function createLoadedService(client: DynamoDBDocumentClient, table: string): CrmService {
  const service = new NamedService(SERVICE, { client, table });
  for (const [name, entity] of Object.entries(registered)) service.join(name, entity);
  live.push(service);
  return service as unknown as CrmService;
}

/** The names of the entities registered so far (tests). */
export const registeredEntityNames = (): string[] => Object.keys(registered);
