import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity } from 'electrodb';
import { describe, expect, it } from 'vitest';
import { createLoadedService, registerEntities, registeredEntityNames } from '../../../functions/adapters/dynamo/entity-registry';
import { createService } from '../../../functions/adapters/dynamo/service';
import { OutboxEntity } from '../../../functions/adapters/dynamo/kernel/outbox-entity';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));

describe('entity registry (the entities a function loads)', () => {
  it('holds, once service.ts is imported, every entity of the full service under the same name', () => {
    const full = createService(client, 'crm-test');
    expect(registeredEntityNames().sort()).toEqual(Object.keys(full.entities).sort());
    const loaded = createLoadedService(client, 'crm-test');
    for (const [name, entity] of Object.entries(full.entities)) expect((loaded.entities as Record<string, unknown>)[name], name).toBe(entity);
  });

  it('is idempotent for the same entity and refuses another entity under a taken name', () => {
    expect(() => registerEntities({ outbox: OutboxEntity })).not.toThrow();
    const other = new Entity({
      model: { entity: 'outbox', version: '1', service: 'crm' },
      attributes: { id: { type: 'string' } },
      indexes: { byId: { pk: { field: 'pk', composite: ['id'] } } },
    });
    expect(() => registerEntities({ outbox: other as unknown as typeof OutboxEntity })).toThrow(/two entities registered as outbox/);
  });
});
