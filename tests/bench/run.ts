/**
 * `npm run bench`: starts the local stack (emulators included), then runs each benchmark
 * section and prints its table; the whole report is also written to bench-results.md.
 * Figures are ratios against baselines measured in the same run; nothing here is asserted.
 * `BENCH_QUICK=1` runs fewer iterations; `BENCH_ONLY=clients,invoices` picks sections.
 */
import { writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalStack, type LocalStack } from '../../infra/local/stack';

export interface BenchContext {
  apiUrl: string;
  apiKey: string;
  tenantId: string;
  quick: boolean;
  stack: LocalStack;
  rawDynamo: { client: DynamoDBClient; tableName: string };
}

// 'idle' stops the stack's stream poller: it runs last.
const SECTIONS = ['coldstart', 'clients', 'invoices', 'documents', 'delivery', 'quotes', 'einvoices', 'integrations', 'payments', 'reports', 'burst', 'idle'];

async function main() {
  process.env.LOG_LEVEL ??= 'ERROR';
  const quick = process.env.BENCH_QUICK === '1';
  const only = process.env.BENCH_ONLY?.split(',');
  const stack = await startLocalStack({ tableName: 'crm-bench', bucketName: 'crm-bench' });
  const out: string[] = [
    `# Benchmarks (${new Date().toISOString()}, ${quick ? 'quick' : 'full'} run)`,
    'Local stack on this machine: figures are for comparison within this run only.',
  ];
  try {
    const { Tenant } = await import('../../functions/domain/tenancy');
    const { dynamo } = await import('../../functions/shared/wiring/core');
    const { tenants } = await import('../../functions/shared/wiring/tenancy');
    // the bench sends thousands of e-mails a day through the stand-in: the highest daily quotas a tenant may set
    const { Settings } = await import('../../functions/domain/documents');
    // (and the seller's details issuing needs, as npm start's demo tenant: without them no invoice leaves NEW)
    const tenant = await Tenant.create(tenants(), {
      name: 'Bench Tenant',
      settings: { ...Tenant.demoSellerDetails('Bench Tenant'), sendingLimits: Settings.MAX_SENDING_LIMITS },
    });
    const ctx: BenchContext = {
      apiUrl: stack.apiUrl,
      apiKey: tenant.apiKey,
      tenantId: tenant.tenant.tenantId,
      quick,
      stack,
      rawDynamo: { client: dynamo().client, tableName: stack.tableName },
    };
    for (const section of SECTIONS) {
      if (only && !only.includes(section)) continue;
      const file = resolve(import.meta.dirname, `${section}.ts`);
      if (!existsSync(file)) continue;
      console.log(`\n# ${section}`);
      const mod = (await import(pathToFileURL(file).href)) as { run(ctx: BenchContext): Promise<string> };
      out.push(await mod.run(ctx));
    }
  } finally {
    await stack.stop();
  }
  writeFileSync(resolve(import.meta.dirname, '../../bench-results.md'), `${out.join('\n')}\n`);
  console.log('\nWritten to bench-results.md');
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
