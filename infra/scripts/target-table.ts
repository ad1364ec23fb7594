/**
 * Which table an operator script (tenant:create, migrate:public-links) works on: the running local stack
 * (`npm start` writes .local/stack.json) when asked with `local`, or when TABLE_NAME is not set; otherwise the
 * deployed table named by TABLE_NAME, with the environment's usual AWS credentials and region.
 * Sets the environment the wiring reads; exits with a message when there is no table to use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export function useTargetTable(options: { local?: boolean } = {}): void {
  const stackFile = resolve(import.meta.dirname, '../../.local/stack.json');
  if (!options.local && process.env.TABLE_NAME) return;
  if (!existsSync(stackFile)) {
    console.error(
      options.local
        ? 'The local stack is not running: start it with `npm start` first.'
        : 'Set TABLE_NAME (the deployed table, see the stack outputs) or run `npm start` for the local stack.',
    );
    process.exit(1);
  }
  const local = JSON.parse(readFileSync(stackFile, 'utf8')) as { tableName: string; endpoints: { dynamodb: string } };
  Object.assign(process.env, {
    TABLE_NAME: local.tableName,
    DYNAMODB_ENDPOINT: local.endpoints.dynamodb,
    AWS_REGION: 'eu-west-1',
    // s3rver's fixed pair (infra/local/provision.ts); DynamoDB Local accepts anything.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
}
