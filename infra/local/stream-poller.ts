import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from './durable';
import { invoke } from './handlers';

/** Where the poller stands in each shard: after the last record it handed over, or done with it. */
export interface ShardPosition {
  /** Sequence number of the last record handed over (and acknowledged) in this shard. */
  after?: string;
  /** The shard is closed and every record of it was handed over. */
  closed?: boolean;
}

export interface StreamPositions {
  streamArn: string;
  shards: Record<string, ShardPosition>;
}

export interface StreamPollerOptions {
  region?: string;
  /** Keep the shard positions in `<stateDir>/<table>.json` (they survive a crash); in memory when omitted. */
  stateDir?: string;
  /** Records per batch handed to the handler, as the event source mapping's BatchSize. */
  batchSize?: number;
  /** The pause between polls grows from minIntervalMs to maxIntervalMs while nothing arrives. */
  minIntervalMs?: number;
  maxIntervalMs?: number;
  /** How often the shard list is read again (a shard may close and children appear). */
  shardRefreshMs?: number;
  /** The stream's consumer; the publish-events function by default. */
  handler?: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;
  /** The Streams client (tests add fault-injecting middleware to it). */
  streams?: DynamoDBStreamsClient;
}

/**
 * The shards to read now, in order: a shard is read once its parent is finished (closed and read
 * to its end) or gone from the stream (trimmed), so a key's records stay in order across a split.
 * Closed shards already read to their end are skipped.
 */
export function readableShards(shards: Pick<Shard, 'ShardId' | 'ParentShardId'>[], positions: Record<string, ShardPosition>): string[] {
  const present = new Set(shards.map((s) => s.ShardId!));
  return shards
    .filter((s) => !positions[s.ShardId!]?.closed)
    .filter((s) => !s.ParentShardId || !present.has(s.ParentShardId) || positions[s.ParentShardId]?.closed === true)
    .map((s) => s.ShardId!);
}

const errorName = (error: unknown) => (error as { name?: string })?.name ?? '';

/**
 * The local stand-in for the table's stream event source mapping: it reads DynamoDB Local's stream
 * and calls the publish-events handler with Lambda's stream event shape.
 *
 * - Positions: after each batch the handler accepted, the last sequence number of the shard is written
 *   to disk (when `stateDir` is set); a restart resumes right after it (AFTER_SEQUENCE_NUMBER). A shard
 *   it has never read is read from its beginning (everything in it is new), never from LATEST.
 * - Failures: a batch that fails (an error, or batchItemFailures) is retried from the first failed
 *   record, in order, with a growing pause, as the event source mapping does.
 * - Shards: a child shard is read after its parent is finished; an expired iterator is renewed from
 *   the saved position; a position older than the stream's retention restarts at the oldest record.
 * - Cost: the pause between empty polls doubles up to maxIntervalMs; `wake()` (called by the local
 *   gateway and bus after each call, which is when new records can appear) polls at once.
 */
export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly dynamo: DynamoDBClient;
  private readonly stateFile?: string;
  private readonly handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;
  private stopped = false;
  private positions?: StreamPositions;
  private shards: Shard[] = [];
  private shardsReadAt = 0;
  private readonly iterators = new Map<string, string>();
  private loop?: Promise<void>;
  private interval: number;
  private wakeCount = 0;
  private quietAsOfWake = -1;
  private failuresInARow = 0;
  private sleeper?: { timer: NodeJS.Timeout; resolve: () => void };
  /** Batches the handler refused (retried). */
  failures = 0;
  /** Records handed over since this poller started. */
  delivered = 0;
  /** Polling rounds since start (for measuring the idle cost). */
  rounds = 0;

  constructor(
    endpoint: string,
    private readonly tableName: string,
    private readonly options: StreamPollerOptions = {},
  ) {
    const common = { endpoint, region: options.region ?? 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    this.streams = options.streams ?? new DynamoDBStreamsClient(common);
    this.dynamo = new DynamoDBClient(common);
    this.stateFile = options.stateDir ? join(options.stateDir, `${tableName}.json`) : undefined;
    this.handler = options.handler ?? ((event) => invoke('publishEvents', event) as Promise<DynamoDBBatchResponse | undefined>);
    this.interval = options.minIntervalMs ?? 25;
  }

  /** True when a poll that began after the last `wake()` found nothing to deliver. */
  get idle(): boolean {
    return this.quietAsOfWake === this.wakeCount;
  }

  /** The positions as saved (for tests and the status page). */
  get savedPositions(): StreamPositions | undefined {
    return this.positions && structuredClone(this.positions);
  }

  /** New records may be there (a request or a function just wrote): poll now, and quickly for a while. */
  wake(): void {
    this.wakeCount++;
    this.interval = this.options.minIntervalMs ?? 25;
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer);
      this.sleeper.resolve();
      this.sleeper = undefined;
    }
  }

  start(): void {
    this.loop = this.run().catch((error) => console.error('[stream] the poller stopped:', error));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeper = undefined;
        resolve();
      }, ms);
      this.sleeper = { timer, resolve };
    });
  }

  private async run(): Promise<void> {
    const { Table } = await this.dynamo.send(new DescribeTableCommand({ TableName: this.tableName }));
    const streamArn = Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`table ${this.tableName} has no stream`);
    const saved = this.stateFile ? readJson<StreamPositions>(this.stateFile) : undefined;
    if (saved && saved.streamArn !== streamArn) {
      console.warn(`[stream] ${this.tableName} has a new stream (the table was re-created); reading the new one from its start`);
    }
    this.positions = saved?.streamArn === streamArn ? saved : { streamArn, shards: {} };

    while (!this.stopped) {
      const wakeAtStart = this.wakeCount;
      let delivered = 0;
      let failed = false;
      this.rounds++;
      try {
        await this.refreshShards(streamArn);
        for (const shardId of readableShards(this.shards, this.positions.shards)) {
          if (this.stopped) break;
          delivered += await this.pollShard(streamArn, shardId);
        }
        this.failuresInARow = 0;
      } catch (error) {
        failed = true;
        this.failuresInARow++;
        if (!this.stopped) console.error('[stream] polling failed:', (error as Error).message);
      }
      if (this.stopped) break;
      if (delivered > 0 || failed) {
        // Busy: poll again at once (or after a growing pause when the handler or the stream fails).
        this.interval = this.options.minIntervalMs ?? 25;
        if (failed) await this.sleep(Math.min(100 * 2 ** Math.min(this.failuresInARow, 6), 5000));
        continue;
      }
      this.quietAsOfWake = wakeAtStart;
      await this.sleep(this.interval);
      this.interval = Math.min(this.interval * 2, this.options.maxIntervalMs ?? 1000);
    }
  }

  private async refreshShards(streamArn: string): Promise<void> {
    if (this.shards.length > 0 && Date.now() - this.shardsReadAt < (this.options.shardRefreshMs ?? 10_000)) return;
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    this.shards = shards;
    this.shardsReadAt = Date.now();
    // Shards trimmed from the stream (older than its retention) are forgotten.
    const present = new Set(shards.map((s) => s.ShardId!));
    let changed = false;
    for (const [id, position] of Object.entries(this.positions!.shards)) {
      if (present.has(id)) continue;
      if (!position.closed) console.warn(`[stream] shard ${id} left the stream before it was read to its end; its last records are gone`);
      delete this.positions!.shards[id];
      this.iterators.delete(id);
      changed = true;
    }
    if (changed) this.save();
  }

  private save(): void {
    if (this.stateFile && this.positions) writeJsonAtomic(this.stateFile, this.positions);
  }

  private async iteratorFor(streamArn: string, shardId: string): Promise<string> {
    const after = this.positions!.shards[shardId]?.after;
    if (after) {
      try {
        const res = await this.streams.send(
          new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }),
        );
        return res.ShardIterator!;
      } catch (error) {
        if (errorName(error) !== 'TrimmedDataAccessException') throw error;
        console.warn(`[stream] shard ${shardId}: records after ${after} were trimmed before they were read; resuming at the oldest record`);
      }
    }
    // Never read (or trimmed past): everything still in the shard is new to us.
    const res = await this.streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    return res.ShardIterator!;
  }

  private async getRecords(streamArn: string, shardId: string) {
    for (let attempt = 1; ; attempt++) {
      const iterator = this.iterators.get(shardId) ?? (await this.iteratorFor(streamArn, shardId));
      try {
        return await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 100 }));
      } catch (error) {
        // An iterator lives 15 minutes: renew it from the saved position (nothing is skipped or repeated).
        this.iterators.delete(shardId);
        if (attempt < 3 && ['ExpiredIteratorException', 'TrimmedDataAccessException'].includes(errorName(error))) continue;
        throw error;
      }
    }
  }

  private async pollShard(streamArn: string, shardId: string): Promise<number> {
    const position = (this.positions!.shards[shardId] ??= {});
    const page = await this.getRecords(streamArn, shardId);
    const records = page.Records ?? [];
    if (records.length > 0) {
      const failedAt = await this.deliver(streamArn, records);
      if (failedAt !== undefined) {
        // The records before the failed one were handed over; resume at the failed one.
        this.failures++;
        const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
        if (index > 0) {
          position.after = records[index - 1].dynamodb!.SequenceNumber!;
          this.delivered += index;
          this.save();
        }
        this.iterators.delete(shardId);
        throw new Error(`the stream's consumer refused a batch; retrying from record ${failedAt}`);
      }
      position.after = records[records.length - 1].dynamodb!.SequenceNumber!;
      this.delivered += records.length;
    }
    if (page.NextShardIterator) {
      this.iterators.set(shardId, page.NextShardIterator);
    } else {
      // Closed and read to its end: its children may be read now.
      position.closed = true;
      this.iterators.delete(shardId);
      this.shardsReadAt = 0;
    }
    if (records.length > 0 || position.closed) this.save();
    return records.length;
  }

  /** Returns the sequence number to retry from, or undefined when the batch went through. */
  private async deliver(streamArn: string, records: _Record[]): Promise<string | undefined> {
    const event = { Records: records.map((r) => toLambdaRecord(r, streamArn)) };
    try {
      const result = await this.handler(event);
      return result?.batchItemFailures?.[0]?.itemIdentifier;
    } catch (error) {
      console.error('[stream] publish-events failed; retrying the batch:', (error as Error).message);
      return records[0].dynamodb?.SequenceNumber;
    }
  }
}

function toLambdaRecord(r: _Record, streamArn: string): DynamoDBRecord {
  const d = r.dynamodb!;
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime ? Math.floor(new Date(d.ApproximateCreationDateTime).getTime() / 1000) : undefined,
      Keys: d.Keys as never,
      NewImage: d.NewImage as never,
      OldImage: d.OldImage as never,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as never,
    },
  };
}
