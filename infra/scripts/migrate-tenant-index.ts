/**
 * `npm run migrate:tenant-index`
 * Puts tenants saved before the tenants index existed into it, so the daily jobs see them;
 * functions/adapters/dynamo/tenancy/tenant-index-migration.ts says how. Against the running local stack, or
 * against AWS when TABLE_NAME (and AWS credentials allowed to Scan the table) are set.
 */
import { useTargetTable } from './target-table';

async function main() {
  useTargetTable();
  const { migrateTenantIndex } = await import('../../functions/adapters/dynamo/tenancy/tenant-index-migration');
  const { dynamo } = await import('../../functions/shared/wiring/core');
  const report = await migrateTenantIndex(dynamo().doc, process.env.TABLE_NAME!);
  console.log(JSON.stringify(report));
}

main().catch((error) => {
  console.error('Could not index the tenants:', (error as Error).message);
  process.exit(1);
});
