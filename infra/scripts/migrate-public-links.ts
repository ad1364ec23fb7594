/**
 * `npm run migrate:public-links [-- --delete-legacy]`
 * Copies public links stored under the old, case-folded token keys to their exact keys (the SHA-256 of the token);
 * functions/adapters/dynamo/documents/public-link-migration.ts says how and when. Against the running local stack,
 * or against AWS when TABLE_NAME (and AWS credentials allowed to Scan the table) are set.
 */
import { parseArgs } from 'node:util';
import { useTargetTable } from './target-table';

const { values } = parseArgs({ options: { 'delete-legacy': { type: 'boolean', default: false } } });

async function main() {
  useTargetTable();
  const { migratePublicLinks } = await import('../../functions/adapters/dynamo/documents/public-link-migration');
  const { dynamo } = await import('../../functions/shared/wiring/core');
  const report = await migratePublicLinks(dynamo().doc, process.env.TABLE_NAME!, { deleteLegacy: values['delete-legacy'] });
  console.log(JSON.stringify(report));
}

main().catch((error) => {
  console.error('Could not migrate the public links:', (error as Error).message);
  process.exit(1);
});
