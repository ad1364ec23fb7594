/**
 * Tenants into the `all` index (tenant-entity.ts): the daily jobs (overdue, reminders, recurring invoices)
 * walk every tenant through it. Tenants saved before the index existed carry no `gsi1pk`/`gsi1sk`, so the
 * jobs skip them until their settings are saved again. This writes the two keys on every tenant item that
 * lacks them, and nothing else.
 *
 * Idempotent and safe to run while the service runs: each write is conditioned on the keys still missing, so a
 * tenant saved meanwhile (which writes them itself) is left alone. Needs Scan on the table: an operator's
 * credentials, not a function's.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../errors';
import { scanEntityItems } from '../scan';
import { createService } from '../service';
import { registerEntities } from '../entity-registry';
import { TenantEntity } from './tenant-entity';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ tenant: TenantEntity });

export interface TenantIndexReport {
  /** Tenant items without the index keys. */
  scanned: number;
  indexed: number;
  /** Saved meanwhile by the service (which wrote the keys), left alone. */
  alreadyThere: number;
}

/** What the key computation needs of a tenant item. */
type TenantItem = { pk: string; sk: string; tenantId: string; name: string; version?: number; createdAt: string; updatedAt: string };

export async function migrateTenantIndex(client: DynamoDBDocumentClient, table: string): Promise<TenantIndexReport> {
  const { tenant } = createService(client, table).entities;
  const report: TenantIndexReport = { scanned: 0, indexed: 0, alreadyThere: 0 };
  for await (const item of scanEntityItems<TenantItem>(client, table, 'tenant', { expression: 'attribute_not_exists(gsi1pk)' })) {
    report.scanned++;
    // the keys exactly as ElectroDB writes them for this tenant
    const { Item: keys } = tenant
      .put({ tenantId: item.tenantId, name: item.name, version: item.version ?? 1, createdAt: item.createdAt, updatedAt: item.updatedAt })
      .params<{ Item: { gsi1pk: string; gsi1sk: string } }>();
    try {
      await client.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi1pk)',
          ExpressionAttributeValues: { ':pk': keys.gsi1pk, ':sk': keys.gsi1sk },
        }),
      );
      report.indexed++;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      report.alreadyThere++;
    }
  }
  return report;
}
