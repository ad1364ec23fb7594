import { resetConfigForTests } from '../../functions/shared/config';
import { startEmulators, type EmulatorEndpoints, type Emulators } from './emulators';
import { LocalEventBus } from './event-bus';
import { startGateway } from './gateway';
import { freePort, waitFor } from './ports';
import { ensureBucket, ensureTable, localCredentials } from './provision';
import { StreamPoller } from './stream-poller';

export interface LocalStackOptions {
  /** Reuse running emulators (tests start them once); otherwise they are started here. */
  endpoints?: EmulatorEndpoints;
  dataDir?: string;
  tableName?: string;
  bucketName?: string;
  port?: number;
  host?: string;
  /** Extra environment for the handlers (e.g. a test's fault-injecting endpoint). */
  env?: Record<string, string>;
}

export interface LocalStack {
  apiUrl: string;
  endpoints: EmulatorEndpoints;
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
  const endpoints = options.endpoints ?? (emulators = await startEmulators({ dataDir: options.dataDir })).endpoints;
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
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
    POWERTOOLS_LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
    ...options.env,
  });
  resetConfigForTests();

  await ensureTable(endpoints.dynamodb, tableName, region);
  await ensureBucket(endpoints.s3, bucketName, region);

  const bus = new LocalEventBus();
  await bus.start(busPort);
  const poller = new StreamPoller(endpoints.dynamodb, tableName, { region });
  poller.start();
  const gateway = await startGateway(port, host);

  return {
    apiUrl: gateway.url,
    endpoints,
    bus,
    poller,
    tableName,
    bucketName,
    async settle(timeoutMs = 30_000) {
      let quiet = 0;
      await waitFor(
        async () => {
          quiet = poller.idle && !bus.busy ? quiet + 1 : 0;
          return quiet >= 3;
        },
        'the local stream and bus to settle',
        timeoutMs,
      );
    },
    async stop() {
      await new Promise((r) => gateway.server.close(r));
      gateway.server.closeAllConnections?.();
      await poller.stop();
      await bus.stop();
      await emulators?.stop();
    },
  };
}
