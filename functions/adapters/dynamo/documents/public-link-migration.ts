/**
 * Public links, version 1 -> 2 (see public-link-entity.ts). Version 1 items were keyed by the token, lower-cased
 * (`pk = $crm#token_<token in lower case>`), which made look-ups case-insensitive. Version 2 keys a link by the
 * SHA-256 of its exact token. The token itself is still in every version 1 item (`token`), so each one is copied
 * to its version 2 key with its subject, expiry, revocation and counters.
 *
 * Idempotent and safe to run while the service runs: a copy is only created when none exists (a link already
 * migrated, or viewed since under version 2, is left alone). Run it once before deploying the version that reads
 * version 2 (so links keep working across the deploy) and once right after (for links created in between); then
 * `deleteLegacy` removes the version 1 items. Needs Scan on the table: an operator's credentials, not a function's.
 */
import { type DynamoDBDocumentClient, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { PublicLink, type PublicLinkRecord } from '../../../domain/documents';
import { isConditionFailure } from '../errors';
import { scanEntityItems } from '../scan';
import { createService } from '../service';
import { PublicLinkEntity } from './public-link-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ publicLink: PublicLinkEntity });

export interface MigrationReport {
  scanned: number;
  copied: number;
  alreadyThere: number;
  deleted: number;
}

/** A version 1 item, as it was written. */
type LegacyLinkItem = Omit<PublicLinkRecord, 'id' | 'views' | 'opens'> & { pk: string; sk: string; token?: string; views?: number; opens?: number };

export async function migratePublicLinks(client: DynamoDBDocumentClient, table: string, options: { deleteLegacy?: boolean } = {}): Promise<MigrationReport> {
  const { publicLink } = createService(client, table).entities;
  const report: MigrationReport = { scanned: 0, copied: 0, alreadyThere: 0, deleted: 0 };
  for await (const item of scanEntityItems<LegacyLinkItem>(client, table, 'publicLink', {
    expression: '#v = :version',
    names: { '#v': '__edb_v__' },
    values: { ':version': '1' },
  })) {
    report.scanned++;
    if (typeof item.token !== 'string') continue;
    const link: PublicLinkRecord = {
      id: PublicLink.idOf(item.token),
      tenantId: item.tenantId,
      subjectType: item.subjectType,
      subjectId: item.subjectId,
      createdAt: item.createdAt,
      ...(item.documentId ? { documentId: item.documentId } : {}),
      ...(item.expiresAt ? { expiresAt: item.expiresAt } : {}),
      ...(item.revokedAt ? { revokedAt: item.revokedAt } : {}),
      ...(item.lastViewedAt ? { lastViewedAt: item.lastViewedAt } : {}),
      views: Number(item.views ?? 0),
      opens: Number(item.opens ?? 0),
    };
    try {
      await publicLink.create(link).go();
      report.copied++;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      report.alreadyThere++;
    }
    if (options.deleteLegacy) {
      await client.send(new DeleteCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }));
      report.deleted++;
    }
  }
  return report;
}
