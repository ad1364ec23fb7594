/**
 * The S3 areas of infra/access.ts are the prefixes the code really writes under: each key function of the domain
 * produces keys that match its area's pattern (and no other area's), so a grant by area covers what the function does.
 */
import { describe, expect, it } from 'vitest';
import { BUCKET_AREAS, bucketGrants, tableActions, type BucketArea } from '../../infra/access';
import { Document, Settings, Template } from '../../functions/domain/documents';
import { QuoteAcceptance } from '../../functions/domain/sales';
import { ExportJobs } from '../../functions/domain/reporting';

/** An IAM object pattern as a regular expression (`*` matches anything, `/` included). */
const matcher = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
const areasOf = (key: string) => (Object.keys(BUCKET_AREAS) as BucketArea[]).filter((area) => matcher(BUCKET_AREAS[area]).test(key));

describe('S3 areas (infra/access.ts)', () => {
  const tenantId = 'ten_01JABCDEFGHJKMNPQRSTVWXYZ0';
  it.each([
    ['documents', Document.key(tenantId, 'invoice', 'inv_1', 'doc_1')],
    ['documents', Document.key(tenantId, 'quote', 'quo_1', 'doc_2')],
    ['signatures', QuoteAcceptance.signatureKey(tenantId, 'quo_1', 'a'.repeat(64))],
    ['assets', Settings.imageKey(tenantId, { name: 'logo', contentType: 'image/png', sha256: 'b'.repeat(64) })],
    ['templates', Template.sourceKey(tenantId, 'tpl_1', 3, 'c'.repeat(64))],
    ['exports', ExportJobs.exportKey(tenantId, 'exp_1', 'xlsx')],
  ])('%s holds %s, and no other area does', (area, key) => {
    expect(areasOf(key)).toEqual([area]);
  });

  it('derives grants: areas per action, a whole-bucket kind covering them all, unknown areas refused', () => {
    expect(bucketGrants(['bucketRead:documents', 'bucketWrite:signatures'])).toEqual({ read: [BUCKET_AREAS.documents], write: [BUCKET_AREAS.signatures] });
    expect(bucketGrants(['bucketRead:assets', 'bucketRead'])).toEqual({ read: ['*'], write: [] });
    expect(() => bucketGrants(['bucketRead:backups' as never])).toThrow(/unknown bucket area/);
  });

  it('derives DynamoDB actions: tableWrite never deletes, tableRead never writes, only tableBatchWrite batch-writes', () => {
    expect(tableActions(['tableWrite'])).not.toContain('dynamodb:DeleteItem');
    expect(tableActions(['table'])).toContain('dynamodb:DeleteItem');
    expect(tableActions(['tableRead']).filter((a) => /Put|Update|Delete|ConditionCheck/.test(a))).toEqual([]);
    expect(tableActions(['table', 'tableWrite', 'tableRead'])).not.toContain('dynamodb:Scan');
    expect(tableActions(['table', 'tableScan'])).toContain('dynamodb:Scan');
    for (const kind of ['table', 'tableWrite', 'tableRead', 'tableScan'] as const) expect(tableActions([kind])).not.toContain('dynamodb:BatchWriteItem');
    expect(tableActions(['tableBatchWrite'])).toEqual(['dynamodb:BatchWriteItem']);
  });
});
