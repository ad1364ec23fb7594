/**
 * Public links version 1 (keyed by the lower-cased token) -> version 2 (keyed by the SHA-256 of the exact token),
 * on DynamoDB Local: a link stored the old way keeps working after the migration, with its counters, expiry and
 * revocation; the migration is idempotent; the old items can then be deleted.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { migratePublicLinks } from '../../functions/adapters/dynamo/documents/public-link-migration';
import { PublicLink } from '../../functions/domain/documents';
import { useLocalStack } from '../fixtures/stack';

const stack = useLocalStack();

/** An item exactly as version 1 wrote it (ElectroDB, default key casing: the token lower-cased in the key). */
const legacyItem = (token: string, extra: Record<string, unknown> = {}) => ({
  pk: `$crm#token_${token.toLowerCase()}`,
  sk: '$publiclink_1',
  token,
  tenantId: 'ten_legacy',
  subjectType: 'invoice',
  subjectId: 'inv_legacy',
  documentId: 'doc_legacy',
  createdAt: '2025-01-02T03:04:05.000Z',
  expiresAt: '2099-01-01T00:00:00.000Z',
  views: 3,
  opens: 2,
  __edb_e__: 'publicLink',
  __edb_v__: '1',
  ...extra,
});

describe('public link migration (v1 -> v2)', () => {
  it('copies every old link to its exact key, keeps what it says, is idempotent, and deletes the old items when asked', async () => {
    // Prepare: two links the old way, one of them revoked
    const { dynamo } = await import('../../functions/shared/wiring/core');
    const { documents } = await import('../../functions/shared/wiring/documents');
    const client = dynamo().doc;
    const table = stack().tableName;
    const live = PublicLink.newToken();
    const revoked = PublicLink.newToken();
    await client.send(new PutCommand({ TableName: table, Item: legacyItem(live) }));
    await client.send(new PutCommand({ TableName: table, Item: legacyItem(revoked, { revokedAt: '2025-02-01T00:00:00.000Z' }) }));
    expect(await documents().links.get(PublicLink.idOf(live))).toBeNull(); // not readable by the new key yet

    // Act
    const first = await migratePublicLinks(client, table);
    const second = await migratePublicLinks(client, table, { deleteLegacy: true });
    const third = await migratePublicLinks(client, table);

    // Assess
    expect(first).toEqual({ scanned: 2, copied: 2, alreadyThere: 0, deleted: 0 });
    expect(second).toEqual({ scanned: 2, copied: 0, alreadyThere: 2, deleted: 2 });
    expect(third).toEqual({ scanned: 0, copied: 0, alreadyThere: 0, deleted: 0 });
    const link = await documents().links.get(PublicLink.idOf(live));
    expect(link).toMatchObject({
      tenantId: 'ten_legacy',
      subjectId: 'inv_legacy',
      documentId: 'doc_legacy',
      views: 3,
      opens: 2,
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    expect(PublicLink.usable(link, new Date().toISOString())).toBe(true);
    expect(PublicLink.usable(await documents().links.get(PublicLink.idOf(revoked)), new Date().toISOString())).toBe(false);
    expect(await documents().links.get(PublicLink.idOf(live.toUpperCase()))).toBeNull(); // exact from now on
  });
});
