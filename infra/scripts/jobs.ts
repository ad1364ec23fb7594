/**
 * `npm run jobs -- --date YYYY-MM-DD [--tenant ten_...]`
 * Runs the daily jobs (recurring invoices, ...) as of that date against the running local stack (`npm start`
 * writes .local/stack.json), with the same handler EventBridge Scheduler runs in AWS. Every job is idempotent:
 * running it twice for the same date does nothing the second time; use it to re-run a missed day.
 * Without --date: each tenant's today. With TABLE_NAME set and no .local/stack.json: against that table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    date: { type: 'string' },
    tenant: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

/** The environment of the running local stack's handlers (as infra/local/stack.ts sets it). */
function useLocalStack(): boolean {
  // LOCAL_DIR: the same folder `npm start` was given (infra/local/start.ts), default .local/
  const stackFile = resolve(process.env.LOCAL_DIR ?? resolve(import.meta.dirname, '../../.local'), 'stack.json');
  if (!existsSync(stackFile)) return false;
  const local = JSON.parse(readFileSync(stackFile, 'utf8')) as {
    apiUrl: string;
    tableName: string;
    bucketName: string;
    eventBusUrl?: string;
    endpoints: { dynamodb: string; s3: string; ses: string; sns: string };
  };
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    TABLE_NAME: local.tableName,
    BUCKET_NAME: local.bucketName,
    EVENT_BUS_NAME: 'crm-invoicing-local',
    DYNAMODB_ENDPOINT: local.endpoints.dynamodb,
    S3_ENDPOINT: local.endpoints.s3,
    SES_ENDPOINT: local.endpoints.ses,
    SNS_ENDPOINT: local.endpoints.sns,
    ...(local.eventBusUrl ? { EVENTBRIDGE_ENDPOINT: local.eventBusUrl } : {}),
    PUBLIC_BASE_URL: local.apiUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
    POWERTOOLS_LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
  });
  return true;
}

async function main() {
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
    console.error('Usage: npm run jobs -- [--date YYYY-MM-DD] [--tenant ten_...] [--json]');
    process.exit(2);
  }
  if (!useLocalStack() && !process.env.TABLE_NAME) {
    console.error('The local stack is not running: start it with `npm start` first (or set TABLE_NAME for a deployed table).');
    process.exit(1);
  }
  const { invoke } = await import('../local/handlers');
  const summary = (await invoke('dailyJobs', { date: values.date, tenantId: values.tenant })) as {
    asOf: string | null;
    recurring: { made: number; found: number };
    overdue: { opened: number; closed: number; overdue: number };
    reminders: { sent: number; skipped: number; lateFees: number };
    scheduledSends: { sent: number; skipped: number };
    failures: { tenantId: string; error: string }[];
  };
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(`Daily jobs as of ${summary.asOf ?? "each tenant's today"}:`);
    console.log(`  recurring invoices: ${summary.recurring.made} made, ${summary.recurring.found} already there`);
    console.log(`  overdue: ${summary.overdue.overdue} overdue, ${summary.overdue.opened} new episodes (invoice.overdue), ${summary.overdue.closed} settled`);
    console.log(`  reminders: ${summary.reminders.sent} sent, ${summary.reminders.skipped} skipped, ${summary.reminders.lateFees} late fees`);
    console.log(`  scheduled sends: ${summary.scheduledSends.sent} sent, ${summary.scheduledSends.skipped} skipped`);
    for (const f of summary.failures) console.log(`  FAILED for ${f.tenantId}: ${f.error}`);
  }
}

main().catch((error) => {
  console.error('The daily jobs failed:', (error as Error).message);
  process.exit(1);
});
