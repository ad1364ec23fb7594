/**
 * `npm start`: the whole service locally on embedded stand-ins (no AWS account, no Docker).
 * Data lives under .local/ and survives restarts. Writes .local/stack.json for scripts.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isPortInUse } from './ports';

const root = resolve(import.meta.dirname, '../..');
const localDir = resolve(process.env.LOCAL_DIR ?? join(root, '.local'));
const lockFile = join(localDir, 'stack.pid');
const stackFile = join(localDir, 'stack.json');
const demoFile = join(localDir, 'demo-tenant.json');
const port = Number(process.env.PORT ?? 3000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  mkdirSync(localDir, { recursive: true });
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8'));
    if (pid && alive(pid) && pid !== process.pid) {
      console.error(`The local stack is already running (pid ${pid}); see ${stackFile}. Stop it with Ctrl-C in its terminal or \`kill ${pid}\`.`);
      process.exit(1);
    }
  }
  if (await isPortInUse(port)) {
    console.error(`Port ${port} is busy (another program uses it). Start on another port with PORT=3100 npm start.`);
    process.exit(1);
  }
  writeFileSync(lockFile, String(process.pid));

  const { startLocalStack } = await import('./stack');
  const stack = await startLocalStack({ dataDir: localDir, port, tableName: 'crm-local', bucketName: 'crm-documents-local' });

  let demo: { tenantId: string; apiKey: string };
  if (existsSync(demoFile)) {
    demo = JSON.parse(readFileSync(demoFile, 'utf8'));
  } else {
    const { Tenant } = await import('../../functions/domain/tenancy');
    const { tenants } = await import('../../functions/shared/wiring/tenancy');
    const created = await Tenant.create(tenants(), { name: 'Demo Company', adminEmail: 'admin@demo.example' });
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
  rmSync(lockFile, { force: true });
  process.exit(1);
});
