/**
 * `npm run migrate:public-links [-- --delete-legacy]`
 * Copies public links stored under the old, case-folded token keys to their exact keys (the SHA-256 of the token);
 * functions/adapters/dynamo/documents/public-link-migration.ts says how and when. Against the running local stack,
 * or against AWS when TABLE_NAME (and AWS credentials allowed to Scan the table) are set.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'delete-legacy': { type: 'boolean', default: false } } });

async function main() {
  const stackFile = resolve(import.meta.dirname, '../../.local/stack.json');
  if (!process.env.TABLE_NAME) {
    if (!existsSync(stackFile)) {
      console.error('Set TABLE_NAME (the deployed table) or run `npm start` for the local stack.');
      process.exit(1);
    }
    const local = JSON.parse(readFileSync(stackFile, 'utf8'));
    Object.assign(process.env, {
      TABLE_NAME: local.tableName,
      DYNAMODB_ENDPOINT: local.endpoints.dynamodb,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
  }
  const { migratePublicLinks } = await import('../../functions/adapters/dynamo/documents/public-link-migration');
  const { dynamo } = await import('../../functions/shared/wiring/core');
  const report = await migratePublicLinks(dynamo().doc, process.env.TABLE_NAME!, { deleteLegacy: values['delete-legacy'] });
  console.log(JSON.stringify(report));
}

main().catch((error) => {
  console.error('Could not migrate the public links:', (error as Error).message);
  process.exit(1);
});
