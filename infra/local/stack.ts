import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { resetConfigForTests } from '../../functions/shared/config';
import { startEmulators, type EmulatorEndpoints, type Emulators } from './emulators';
import { DEFAULT_RENDER_CONCURRENCY, DEFAULT_TARGET_CONCURRENCY, LocalEventBus } from './event-bus';
import { startGateway } from './gateway';
import { freePort, waitFor } from './ports';
import { ensureBucket, ensureTable, localCredentials } from './provision';
import { startLocalScheduler } from './scheduler';
import { StreamPoller } from './stream-poller';

export interface LocalStackOptions {
  /** Reuse running emulators (tests start them once); otherwise they are started here. */
  endpoints?: EmulatorEndpoints;
  /** Fixed ports for the emulators this call starts (the e-mail and SMS viewers keep their URL across restarts). */
  emulatorPorts?: Partial<Record<keyof EmulatorEndpoints, number>>;
  /**
   * Keep everything here: the emulators' data, the stream positions (`stream/`) and the bus journal
   * (`bus/`), so a restart resumes where the last run stopped. In memory when omitted (tests).
   */
  dataDir?: string;
  tableName?: string;
  bucketName?: string;
  port?: number;
  host?: string;
  /** Extra environment for the handlers (e.g. a test's fault-injecting endpoint). */
  env?: Record<string, string>;
  /** Bus deliveries running at once per target function; default: localBusConcurrency(process.env). */
  busConcurrency?: Partial<Record<string, number>>;
  /**
   * Run the `rate(...)` scheduled functions (the webhook retry sweep) on timers, at most this many seconds
   * apart (`npm start`). Off when omitted: tests invoke them with their own clock.
   */
  scheduleEverySeconds?: number;
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1 (got "${value}")`);
  return n;
}

/**
 * How many deliveries of one target the local bus runs at once: `LOCAL_RENDER_CONCURRENCY` for the
 * render function (default 3, the reserved concurrency proposed for it in AWS), `LOCAL_BUS_CONCURRENCY`
 * for every other target (default 10).
 */
export function localBusConcurrency(env: Record<string, string | undefined>): Record<string, number> {
  return {
    renderDocument: positiveInteger('LOCAL_RENDER_CONCURRENCY', env.LOCAL_RENDER_CONCURRENCY, DEFAULT_RENDER_CONCURRENCY),
    '*': positiveInteger('LOCAL_BUS_CONCURRENCY', env.LOCAL_BUS_CONCURRENCY, DEFAULT_TARGET_CONCURRENCY),
  };
}

export interface LocalStack {
  apiUrl: string;
  endpoints: EmulatorEndpoints;
  /** The DynamoDB Local JVM, when this stack started the emulators. */
  dynamodbPid?: number;
  bus: LocalEventBus;
  poller: StreamPoller;
  tableName: string;
  bucketName: string;
  /** Waits until the stream and the bus have delivered everything (for tests and scripts). */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole service on one machine: emulators, the table and bucket, the local API gateway,
 * the local event bus and the stream poller, all calling the same handler modules as AWS.
 * The handlers read their configuration from the environment, as in Lambda, so it is set first.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  let emulators: Emulators | undefined;
  const concurrency = options.busConcurrency ?? localBusConcurrency(process.env);
  const endpoints = options.endpoints ?? (emulators = await startEmulators({ dataDir: options.dataDir, ports: options.emulatorPorts })).endpoints;
  const tableName = options.tableName ?? 'crm-local';
  const bucketName = options.bucketName ?? 'crm-documents-local';
  const region = 'eu-west-1';
  const port = options.port ?? (await freePort());
  const busPort = await freePort();
  const host = options.host ?? '127.0.0.1';

  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    TABLE_NAME: tableName,
    BUCKET_NAME: bucketName,
    EVENT_BUS_NAME: 'crm-invoicing-local',
    DYNAMODB_ENDPOINT: endpoints.dynamodb,
    S3_ENDPOINT: endpoints.s3,
    SES_ENDPOINT: endpoints.ses,
    SNS_ENDPOINT: endpoints.sns,
    EVENTBRIDGE_ENDPOINT: `http://127.0.0.1:${busPort}`,
    PUBLIC_BASE_URL: `http://${host}:${port}`,
    POWERTOOLS_DEV: 'true',
    // tenant secrets sealed locally (AES-GCM); a restart of `npm start` keeps its key (start.ts sets it)
    LOCAL_SECRETS_KEY: process.env.LOCAL_SECRETS_KEY ?? randomBytes(32).toString('base64'),
    // local runs deliver webhooks to loopback receivers (refused in AWS)
    WEBHOOKS_ALLOW_LOOPBACK: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
    POWERTOOLS_LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
    ...options.env,
  });
  resetConfigForTests();

  await ensureTable(endpoints.dynamodb, tableName, region);
  await ensureBucket(endpoints.s3, bucketName, region);

  const poller = new StreamPoller(endpoints.dynamodb, tableName, { region, stateDir: options.dataDir && join(options.dataDir, 'stream') });
  const bus = new LocalEventBus({
    stateDir: options.dataDir && join(options.dataDir, 'bus', tableName),
    concurrency,
    // A target may have written to the table: look at the stream now rather than at the next idle poll.
    onDelivered: () => poller.wake(),
    status: () => ({ stream: { idle: poller.idle, delivered: poller.delivered, failures: poller.failures } }),
  });
  await bus.start(busPort);
  poller.start();
  const gateway = await startGateway(port, host, { onResponse: () => poller.wake() });
  const scheduler = options.scheduleEverySeconds
    ? startLocalScheduler({
        everySeconds: options.scheduleEverySeconds,
        periodMs: process.env.LOCAL_SCHEDULE_MS ? Number(process.env.LOCAL_SCHEDULE_MS) : undefined,
      })
    : undefined;

  return {
    apiUrl: gateway.url,
    endpoints,
    dynamodbPid: emulators?.dynamodbPid,
    bus,
    poller,
    tableName,
    bucketName,
    async settle(timeoutMs = 30_000) {
      let quiet = 0;
      await waitFor(
        async () => {
          quiet = poller.idle && !bus.busy ? quiet + 1 : 0;
          poller.wake(); // the next check needs a poll that began after this one
          return quiet >= 3;
        },
        'the local stream and bus to settle',
        timeoutMs,
      );
    },
    async stop() {
      await scheduler?.stop();
      await new Promise((r) => gateway.server.close(r));
      gateway.server.closeAllConnections?.();
      await poller.stop();
      await bus.stop();
      await emulators?.stop();
    },
  };
}
