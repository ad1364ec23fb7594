/**
 * Tenants saved before the tenants index existed (no gsi1 keys), on DynamoDB Local: the daily jobs' walk
 * (tenantIds) misses them until the migration writes the keys; it writes nothing else and is idempotent.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { migrateTenantIndex } from '../../functions/adapters/dynamo/tenancy/tenant-index-migration';
import { makeTenant, useLocalStack } from '../fixtures/stack';

const stack = useLocalStack();

describe('tenant index migration', () => {
  it('puts a tenant saved without the index keys back into the daily walk, changing nothing else, once', async () => {
    // Prepare: a tenant as the version before the index wrote it (same item, no gsi1 keys)
    const { dynamo } = await import('../../functions/shared/wiring/core');
    const { tenants } = await import('../../functions/shared/wiring/tenancy');
    const client = dynamo().doc;
    const table = stack().tableName;
    const { tenantId } = await makeTenant('Before the index');
    const key = await tenantKey(tenantId);
    await client.send(new UpdateCommand({ TableName: table, Key: key, UpdateExpression: 'REMOVE gsi1pk, gsi1sk' }));
    const before = (await client.send(new GetCommand({ TableName: table, Key: key }))).Item!;
    expect(await tenants().tenantIds()).not.toContain(tenantId);

    // Act
    const first = await migrateTenantIndex(client, table);
    const second = await migrateTenantIndex(client, table);

    // Assess
    expect(first).toMatchObject({ indexed: first.scanned, alreadyThere: 0 });
    expect(first.indexed).toBeGreaterThanOrEqual(1);
    expect(second).toEqual({ scanned: 0, indexed: 0, alreadyThere: 0 });
    expect(await tenants().tenantIds()).toContain(tenantId);
    const after = (await client.send(new GetCommand({ TableName: table, Key: key }))).Item!;
    const { gsi1pk, gsi1sk, ...rest } = after;
    expect(rest).toEqual(before);
    expect(gsi1pk).toEqual(expect.any(String));
    expect(gsi1sk).toEqual(expect.stringContaining(tenantId));
  });
});

/** The table key of a tenant's item, as ElectroDB writes it. */
async function tenantKey(tenantId: string): Promise<{ pk: string; sk: string }> {
  const { TenantEntity } = await import('../../functions/adapters/dynamo/tenancy/tenant-entity');
  return TenantEntity.get({ tenantId }).params<{ Key: { pk: string; sk: string } }>().Key;
}
