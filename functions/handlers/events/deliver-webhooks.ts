import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { events } from '../../../events/catalog';
import { type BusEvent, WebhookWorker } from '../../domain/webhooks';
import { logger } from '../../shared/logger';
import { webhookWorkerPorts } from '../../shared/wiring/webhooks';

/**
 * Every subscribable domain event on the bus (events/rules.ts) -> one delivery per subscription of the
 * tenant that wants it, and the first attempt of each, now. A redelivered event creates nothing (the
 * delivery id comes from the event and the subscription); a delivery created but never attempted (a crash
 * here) is due at once and the sweep (sweep-webhooks.ts) attempts it. `webhook.replay_requested` makes
 * the one attempt of a replay. Failed attempts are retried by the sweep, never here: this invocation
 * ends after at most one attempt per subscription, each bounded by the sender's deadline.
 */
export async function deliverWebhooks(event: EventBridgeEvent<string, BusEvent['detail']>): Promise<void> {
  const type = event['detail-type'];
  const detail = event.detail;
  logger.appendKeys({ tenantId: detail.tenantId, eventId: detail.eventId, detailType: type });
  const ports = webhookWorkerPorts();
  if (type === events.webhookReplayRequested.detailType) {
    const replay = events.webhookReplayRequested.schema.parse(detail);
    const outcome = await WebhookWorker.attemptDelivery(ports, { tenantId: replay.tenantId, deliveryId: replay.deliveryId });
    logger.info('webhook replay attempted', { deliveryId: replay.deliveryId, outcome: outcome.outcome });
    return;
  }
  const created = await WebhookWorker.fanOutEvent(ports, { type, detail });
  const outcomes = await Promise.all(
    created.map(async (delivery) => {
      const outcome = await WebhookWorker.attemptDelivery(ports, { tenantId: delivery.tenantId, deliveryId: delivery.id });
      return { deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, outcome: outcome.outcome };
    }),
  );
  if (outcomes.length) logger.info('webhook deliveries', { outcomes });
}

export const handler = middy<EventBridgeEvent<string, BusEvent['detail']>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(deliverWebhooks);
