import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventsByDetailType } from '../../../events/catalog';
import { logger } from '../../shared/logger';
import { eventBus, outboxEventsFromStream, type BusEvent, type EventPublisher } from '../../shared/wiring/stream';

/**
 * The table's stream -> EventBridge. Outbox records (written in the same transaction as the change
 * they describe) become events; everything else in the stream is ignored. A failure reports the
 * first failed record, so the stream retries from there (bisect-on-error and a failure destination
 * in AWS; the local poller retries the same batch): no event is lost, and consumers dedupe by eventId.
 */
export async function publishEvents(event: DynamoDBStreamEvent, bus: EventPublisher): Promise<DynamoDBBatchResponse> {
  const pending: { sequenceNumber: string; event: BusEvent }[] = [];
  for (const item of outboxEventsFromStream(event.Records)) {
    const definition = eventsByDetailType[item.detailType];
    const detail = { ...item.detail, eventId: item.eventId, tenantId: item.tenantId, occurredAt: item.createdAt };
    const checked = definition?.schema.safeParse(detail);
    if (!definition || !checked?.success) {
      // A malformed event is a bug, not a transient failure: log it loudly and do not block the stream.
      logger.error('outbox record does not match its event schema', { detailType: item.detailType, eventId: item.eventId, issues: checked?.error?.issues });
      continue;
    }
    pending.push({ sequenceNumber: item.sequenceNumber, event: { eventId: item.eventId, detailType: item.detailType, detail } });
  }
  if (pending.length === 0) return { batchItemFailures: [] };
  try {
    const failedIds = new Set(await bus.publish(pending.map((p) => p.event)));
    const firstFailed = pending.find((p) => failedIds.has(p.event.eventId));
    if (firstFailed) {
      logger.warn('some events were refused by the bus; the stream will retry them', { failed: failedIds.size });
      return { batchItemFailures: [{ itemIdentifier: firstFailed.sequenceNumber }] };
    }
    logger.info('published events', { count: pending.length, types: pending.map((p) => p.event.detailType) });
    return { batchItemFailures: [] };
  } catch (error) {
    logger.warn('publishing failed; the stream will retry the batch', { error: error as Error });
    return { batchItemFailures: [{ itemIdentifier: pending[0].sequenceNumber }] };
  }
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) => publishEvents(event, eventBus()));
