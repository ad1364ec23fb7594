/**
 * `npm run tenant:create -- --name "Acme" [--admin-email a@b.c] [--locale es]`
 * Creates a tenant and its first admin API key, with the same domain code the service uses.
 * Locally (when `npm start` runs, or with --local) it writes to the local stack's table;
 * against AWS it uses TABLE_NAME and the usual AWS credentials/region of the environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    'admin-email': { type: 'string' },
    locale: { type: 'string', default: 'en' },
    local: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

async function main() {
  if (!values.name?.trim()) {
    console.error('Usage: npm run tenant:create -- --name "Acme" [--admin-email admin@acme.example] [--locale en|es|ru|ro] [--local]');
    process.exit(2);
  }
  const stackFile = resolve(import.meta.dirname, '../../.local/stack.json');
  if (values.local || (!process.env.TABLE_NAME && existsSync(stackFile))) {
    if (!existsSync(stackFile)) {
      console.error('The local stack is not running: start it with `npm start` first.');
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
  } else if (!process.env.TABLE_NAME) {
    console.error('Set TABLE_NAME (the deployed table, see the stack outputs) or run `npm start` for the local stack.');
    process.exit(1);
  }
  const { Tenant } = await import('../../functions/domain/tenancy');
  const { tenants } = await import('../../functions/shared/wiring/tenancy');
  const created = await Tenant.create(tenants(), { name: values.name.trim(), adminEmail: values['admin-email'], locale: values.locale });
  const out = { tenantId: created.tenant.tenantId, adminUserId: created.adminUserId, apiKey: created.apiKey };
  if (values.json) console.log(JSON.stringify(out));
  else console.log(`Tenant ${out.tenantId} created.\nAdmin API key (shown once, keep it safe):\n  ${out.apiKey}`);
}

main().catch((error) => {
  console.error('Could not create the tenant:', (error as Error).message);
  process.exit(1);
});
