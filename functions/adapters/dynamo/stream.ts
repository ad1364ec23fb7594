import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** An outbox record as it arrives on the table's stream, in stream order. */
export interface StreamedOutboxEvent {
  /** The stream record's sequence number (a batch item failure names it to retry from there). */
  sequenceNumber: string;
  eventId: string;
  detailType: string;
  detail: Record<string, unknown>;
  tenantId: string;
  createdAt: string;
}

/**
 * The outbox records among a batch of stream records: INSERTs of ElectroDB `outbox` items, as plain
 * values. Everything else in the stream (other entities, updates, removals) is left out.
 */
export function outboxEventsFromStream(records: DynamoDBRecord[]): StreamedOutboxEvent[] {
  const out: StreamedOutboxEvent[] = [];
  for (const record of records) {
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) continue;
    const item = unmarshall(record.dynamodb.NewImage as Parameters<typeof unmarshall>[0]);
    if (item.__edb_e__ !== 'outbox') continue;
    out.push({
      sequenceNumber: record.dynamodb.SequenceNumber!,
      eventId: item.eventId,
      detailType: item.detailType,
      detail: item.detail ?? {},
      tenantId: item.tenantId,
      createdAt: item.createdAt,
    });
  }
  return out;
}
