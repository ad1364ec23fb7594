/**
 * `npm start`: the whole service locally on embedded stand-ins (no AWS account, no Docker).
 * Data lives under .local/ and survives restarts. Writes .local/stack.json for scripts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acquireLock, killLeftovers, updateLock } from './lock';
import { isPortInUse } from './ports';

const root = resolve(import.meta.dirname, '../..');
const localDir = resolve(process.env.LOCAL_DIR ?? join(root, '.local'));
const lockFile = join(localDir, 'stack.pid');
const stackFile = join(localDir, 'stack.json');
const demoFile = join(localDir, 'demo-tenant.json');
const port = Number(process.env.PORT ?? 3000);
// The e-mail and SMS viewers keep their address across restarts (bookmarks, the README's commands).
const sesPort = Number(process.env.LOCAL_SES_PORT ?? port + 1);
const smsPort = Number(process.env.LOCAL_SMS_PORT ?? port + 2);
/** What this process's command line contains (tells our stack from a program that reused its pid). */
const OUR_COMMAND = 'local/start.ts';

let ownLock = false;

async function main() {
  mkdirSync(localDir, { recursive: true });
  const lock = acquireLock(lockFile, { pid: process.pid, startedAt: new Date().toISOString() }, OUR_COMMAND);
  if (!lock.acquired) {
    console.error(
      `The local stack is already running (pid ${lock.holder.pid}); see ${stackFile}. Stop it with Ctrl-C in its terminal or \`kill ${lock.holder.pid}\`.`,
    );
    process.exit(1);
  }
  ownLock = true;
  if (lock.stale) {
    // The last stack did not stop cleanly (killed, crashed): its JVM may still hold the database.
    const killed = await killLeftovers(lock.stale);
    console.log(
      `The last local stack (pid ${lock.stale.pid}) did not stop cleanly${killed.length ? `; stopped what it left running (pid ${killed.join(', ')})` : ''}. Resuming on the same data.`,
    );
    rmSync(stackFile, { force: true });
  }
  for (const [name, p, setting] of [
    ['API', port, 'PORT=3100'],
    ['e-mail viewer (SES)', sesPort, 'LOCAL_SES_PORT=3101'],
    ['SMS outbox', smsPort, 'LOCAL_SMS_PORT=3102'],
  ] as const) {
    if (await isPortInUse(p)) {
      console.error(`Port ${p} (${name}) is busy (another program uses it). Start on another port with ${setting} npm start.`);
      rmSync(lockFile, { force: true });
      process.exit(1);
    }
  }

  // Tenant secrets (webhook signing secrets, card keys) are sealed under a local key kept beside the data,
  // so they still open after a restart.
  const secretsKeyFile = join(localDir, 'secrets.key');
  if (!existsSync(secretsKeyFile)) writeFileSync(secretsKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  process.env.LOCAL_SECRETS_KEY ??= readFileSync(secretsKeyFile, 'utf8').trim();

  const { startLocalStack } = await import('./stack');
  const stack = await startLocalStack({
    dataDir: localDir,
    port,
    tableName: 'crm-local',
    bucketName: 'crm-documents-local',
    emulatorPorts: { ses: sesPort, sns: smsPort },
    // the webhook retry sweep (rate(1 minute) in AWS) every 10 s here, so a retry due after 5 s is not a minute late
    scheduleEverySeconds: Number(process.env.LOCAL_SCHEDULE_SECONDS ?? 10),
  });
  updateLock(lockFile, { pid: process.pid, dynamodbPid: stack.dynamodbPid, startedAt: new Date().toISOString() });

  let demo: { tenantId: string; apiKey: string };
  const { Tenant } = await import('../../functions/domain/tenancy');
  const { tenants } = await import('../../functions/shared/wiring/tenancy');
  if (existsSync(demoFile)) {
    demo = JSON.parse(readFileSync(demoFile, 'utf8'));
    // a demo tenant from before the seller details were seeded: give it them once
    const current = await tenants().getTenant(demo.tenantId);
    if (current && !current.settings.legalName) {
      await tenants().saveTenantSettings(demo.tenantId, { ...Tenant.demoSellerDetails('Demo Company'), ...current.settings }, current.version);
    }
  } else {
    // complete, clearly fictitious seller details: the tour's first invoice can be issued (the legal minimum)
    const created = await Tenant.create(tenants(), {
      name: 'Demo Company',
      adminEmail: 'admin@demo.example',
      settings: Tenant.demoSellerDetails('Demo Company'),
    });
    demo = { tenantId: created.tenant.tenantId, apiKey: created.apiKey };
    writeFileSync(demoFile, JSON.stringify(demo, null, 2));
  }

  const info = {
    apiUrl: stack.apiUrl,
    apiKey: demo.apiKey,
    tenantId: demo.tenantId,
    docsUrl: `${stack.apiUrl}/docs`,
    openApiUrl: `${stack.apiUrl}/openapi.json`,
    emailViewerUrl: stack.endpoints.ses,
    emailStoreUrl: `${stack.endpoints.ses}/store`,
    smsOutboxUrl: `${stack.endpoints.sns}/messages`,
    endpoints: stack.endpoints,
    tableName: stack.tableName,
    bucketName: stack.bucketName,
    eventBusUrl: process.env.EVENTBRIDGE_ENDPOINT,
    /** What the local bus and stream still have to deliver (`busy: false` and `stream.idle: true` when quiet). */
    statusUrl: `${process.env.EVENTBRIDGE_ENDPOINT}/status`,
    pid: process.pid,
  };
  writeFileSync(stackFile, JSON.stringify(info, null, 2));
  console.log(`
CRM invoicing is running locally.
  API            ${info.apiUrl}          (docs: ${info.docsUrl})
  API key        ${info.apiKey}
  E-mail viewer  ${info.emailViewerUrl}
  SMS outbox     ${info.smsOutboxUrl}
  DynamoDB Local ${info.endpoints.dynamodb}   S3 (s3rver) ${info.endpoints.s3}
  Data           ${localDir}   (the same as JSON: ${stackFile})
Jobs: the daily jobs run hourly here; \`npm run jobs -- --date YYYY-MM-DD\` runs them as of a date.
Try:  curl -H "Authorization: Bearer ${info.apiKey}" ${info.apiUrl}/v1/companies
Ctrl-C stops everything.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack...`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await stack.stop();
    } finally {
      rmSync(lockFile, { force: true });
      rmSync(stackFile, { force: true });
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error('The local stack could not start:', error);
  if (ownLock) rmSync(lockFile, { force: true });
  process.exit(1);
});
