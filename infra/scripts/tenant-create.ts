/**
 * `npm run tenant:create -- --name "Acme" [--admin-email a@b.c] [--locale es]`
 * Creates a tenant and its first admin API key, with the same domain code the service uses.
 * Locally (when `npm start` runs, or with --local) it writes to the local stack's table;
 * against AWS it uses TABLE_NAME and the usual AWS credentials/region of the environment.
 */
import { parseArgs } from 'node:util';
import { useTargetTable } from './target-table';

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
  useTargetTable({ local: values.local });
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
