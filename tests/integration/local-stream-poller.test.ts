/**
 * The local stream poller on DynamoDB Local's real stream: it resumes after the last record it handed
 * over (positions on disk), never from the beginning and never from LATEST; a refused batch is retried
 * from the first failed record; an expired iterator is renewed without skipping or repeating records.
 * The consumer here is a recording stand-in for publish-events: the poller is what is under test.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, ExpiredIteratorException } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable, localCredentials } from '../../infra/local/provision';
import { StreamPoller, type StreamPollerOptions } from '../../infra/local/stream-poller';
import { tableDesign } from '../../infra/table-design';
import { eventually } from '../fixtures/outbox';

const region = 'eu-west-1';
let endpoint: string;
let dynamo: DynamoDBClient;
const dirs: string[] = [];
const pollers: StreamPoller[] = [];

beforeAll(() => {
  endpoint = inject('endpoints').dynamodb;
  dynamo = new DynamoDBClient({ endpoint, region, credentials: localCredentials });
});

afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function aTable(): Promise<string> {
  const name = `poller-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint, name, region);
  return name;
}

function aStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'poller-'));
  dirs.push(dir);
  return dir;
}

async function write(table: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    await dynamo.send(new PutItemCommand({ TableName: table, Item: { [tableDesign.partitionKey]: { S: 'p' }, [tableDesign.sortKey]: { S: id } } }));
  }
}

/** A recording consumer: the sort keys of the records handed over, in order. */
function recorder(refuse?: (event: DynamoDBStreamEvent, call: number) => DynamoDBBatchResponse | 'throw' | undefined) {
  const seen: string[] = [];
  let calls = 0;
  const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const verdict = refuse?.(event, ++calls);
    if (verdict === 'throw') throw new Error('consumer down');
    const failedAt = verdict?.batchItemFailures[0]?.itemIdentifier;
    for (const r of event.Records) {
      if (r.dynamodb?.SequenceNumber === failedAt) break;
      seen.push(r.dynamodb!.Keys![tableDesign.sortKey].S!);
    }
    return verdict ?? { batchItemFailures: [] };
  };
  return { seen, handler };
}

function aPoller(table: string, options: StreamPollerOptions): StreamPoller {
  const poller = new StreamPoller(endpoint, table, { region, minIntervalMs: 10, maxIntervalMs: 100, ...options });
  pollers.push(poller);
  poller.start();
  return poller;
}

async function quiet(poller: StreamPoller): Promise<void> {
  poller.wake();
  await eventually(async () => poller.idle, 'the poller to find nothing new', 20_000);
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

describe('the local stream poller', () => {
  it('resumes after the last record it handed over: a restart repeats nothing, skips nothing, and sees what was written while it was down', async () => {
    // Prepare
    const table = await aTable();
    const stateDir = aStateDir();
    await write(table, ids('before', 5));
    const first = recorder();
    const poller = aPoller(table, { stateDir, handler: first.handler });
    await eventually(async () => first.seen.length >= 5, 'the first records');
    await quiet(poller);
    await poller.stop();

    // Act: written while the poller is down, then a new poller on the same positions
    await write(table, ids('down', 3));
    const second = recorder();
    const again = aPoller(table, { stateDir, handler: second.handler });
    await write(table, ids('after', 2));
    await eventually(async () => second.seen.length >= 5, 'the new records');
    await quiet(again);

    // Assess
    expect(first.seen).toEqual(ids('before', 5));
    expect(second.seen).toEqual([...ids('down', 3), ...ids('after', 2)]);
    expect(again.savedPositions?.shards).not.toEqual({});
  });

  it('a poller without saved positions on a stream that already has records reads them all (never LATEST)', async () => {
    const table = await aTable();
    await write(table, ids('old', 4));
    const consumer = recorder();
    const poller = aPoller(table, { stateDir: aStateDir(), handler: consumer.handler });
    await eventually(async () => consumer.seen.length >= 4, 'the records written before it started');
    await quiet(poller);
    expect(consumer.seen).toEqual(ids('old', 4));
  });

  it('retries a refused batch from the first failed record, and a crash after a partial batch resumes right there', async () => {
    // Prepare: the consumer takes the first two records of the first batch and refuses the third
    const table = await aTable();
    const stateDir = aStateDir();
    await write(table, ids('r', 6));
    const partial = recorder((event, call) => (call === 1 ? { batchItemFailures: [{ itemIdentifier: event.Records[2].dynamodb!.SequenceNumber! }] } : 'throw'));
    const poller = aPoller(table, { stateDir, handler: partial.handler });
    await eventually(async () => poller.failures >= 2, 'the refused batches');
    // Act: the process dies while the consumer is down
    await poller.stop();
    const consumer = recorder();
    const restarted = aPoller(table, { stateDir, handler: consumer.handler });
    await eventually(async () => consumer.seen.length >= 4, 'the rest');
    await quiet(restarted);

    // Assess: the two handed over are not repeated, the refused one and the rest come once, in order
    expect(partial.seen).toEqual(ids('r', 2));
    expect(consumer.seen).toEqual(ids('r', 6).slice(2));
  });

  it('renews an expired iterator from its position: nothing skipped, nothing repeated', async () => {
    // Prepare: a Streams client whose 2nd and 3rd GetRecords answer ExpiredIteratorException
    const table = await aTable();
    const streams = new DynamoDBStreamsClient({ endpoint, region, credentials: localCredentials });
    let getRecords = 0;
    streams.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetRecordsCommand' && [2, 3].includes(++getRecords)) {
          throw new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'expireIterators' },
    );
    await write(table, ids('a', 3));
    const consumer = recorder();
    const poller = aPoller(table, { stateDir: aStateDir(), handler: consumer.handler, streams });
    await eventually(async () => consumer.seen.length >= 3, 'the first records');

    // Act
    await write(table, ids('b', 3));
    await eventually(async () => consumer.seen.length >= 6, 'the records after the expiry');
    await quiet(poller);

    // Assess
    expect(getRecords).toBeGreaterThan(3);
    expect(consumer.seen).toEqual([...ids('a', 3), ...ids('b', 3)]);
  });
});
