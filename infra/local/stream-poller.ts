import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { invoke } from './handlers';

/**
 * The local stand-in for the table's stream event source mapping: it reads DynamoDB Local's
 * stream and calls the publish-events handler with Lambda's stream event shape. A batch that
 * fails (an error, or batchItemFailures) is retried from the first failed record, in order,
 * as the event source mapping does.
 */
export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly dynamo: DynamoDBClient;
  private stopped = false;
  private iterators = new Map<string, string>();
  private idleRounds = 0;
  private loop?: Promise<void>;
  failures = 0;

  constructor(
    endpoint: string,
    private readonly tableName: string,
    private readonly options: { intervalMs?: number; region?: string } = {},
  ) {
    const common = { endpoint, region: options.region ?? 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    this.streams = new DynamoDBStreamsClient(common);
    this.dynamo = new DynamoDBClient(common);
  }

  /** True when the last full round found nothing to deliver. */
  get idle(): boolean {
    return this.idleRounds >= 1;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    const { Table } = await this.dynamo.send(new DescribeTableCommand({ TableName: this.tableName }));
    const streamArn = Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`table ${this.tableName} has no stream`);
    while (!this.stopped) {
      let delivered = 0;
      try {
        const { StreamDescription } = await this.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
        for (const shard of StreamDescription?.Shards ?? []) {
          if (this.stopped) break;
          delivered += await this.pollShard(streamArn, shard.ShardId!);
        }
      } catch (error) {
        if (!this.stopped) console.error('[stream] polling failed:', (error as Error).message);
      }
      this.idleRounds = delivered === 0 ? this.idleRounds + 1 : 0;
      await new Promise((r) => setTimeout(r, this.options.intervalMs ?? 50));
    }
  }

  private async pollShard(streamArn: string, shardId: string): Promise<number> {
    let iterator = this.iterators.get(shardId);
    if (iterator === 'CLOSED') return 0;
    if (!iterator) {
      const res = await this.streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
      iterator = res.ShardIterator!;
    }
    const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    const records = page.Records ?? [];
    if (records.length > 0) {
      const failedAt = await this.deliver(streamArn, records);
      if (failedAt !== undefined) {
        // Retry from the first failed record on the next round, as the event source mapping would.
        this.failures++;
        const res = await this.streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ShardIteratorType: 'AT_SEQUENCE_NUMBER',
            SequenceNumber: failedAt,
          }),
        );
        this.iterators.set(shardId, res.ShardIterator!);
        await new Promise((r) => setTimeout(r, 100));
        return 1;
      }
    }
    this.iterators.set(shardId, page.NextShardIterator ?? 'CLOSED');
    return records.length;
  }

  /** Returns the sequence number to retry from, or undefined when the batch went through. */
  private async deliver(streamArn: string, records: _Record[]): Promise<string | undefined> {
    const event = { Records: records.map((r) => toLambdaRecord(r, streamArn)) };
    try {
      const result = (await invoke('publishEvents', event)) as DynamoDBBatchResponse | undefined;
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
