import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from '../common';

/** The partition of the due index: every pending delivery of every tenant, by the instant its next attempt is due. */
export const DUE_SHARD = 'webhook-due';

/**
 * One delivery of one event to one subscription (functions/domain/webhooks/deliveries.ts). Its id comes
 * from (subscription, event), so creating it twice is refused by the condition. While it is pending it
 * also carries `dueShard` and `dueAt`, which put it in the sparse due index the sweep reads; a finished
 * delivery is written without them and leaves that index.
 */
export const WebhookDeliveryEntity = new Entity({
  model: { entity: 'webhookDelivery', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    subscriptionId: { type: 'string', required: true, readOnly: true },
    eventId: { type: 'string', required: true, readOnly: true },
    eventType: { type: 'string', required: true, readOnly: true },
    webhookId: { type: 'string', required: true, readOnly: true },
    body: { type: 'string', required: true, readOnly: true },
    status: { type: ['pending', 'succeeded', 'failed'] as const, required: true },
    attemptCount: { type: 'number', required: true },
    scheduleStartedAt: { type: 'string', required: true },
    nextAttemptAt: { type: 'string' },
    replaying: { type: 'boolean', required: true },
    replays: { type: 'number', required: true },
    failureReason: { type: 'string' },
    dueShard: { type: 'string' },
    dueAt: { type: 'string' },
  },
  indexes: {
    byId: byIdIndex,
    bySubscription: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'subscriptionId'] },
      sk: { field: 'gsi1sk', composite: ['createdAt', 'id'] },
    },
    due: {
      index: 'gsi2',
      // sparse: only a pending delivery with a next attempt has these keys
      condition: (attr) => attr.status === 'pending' && typeof attr.dueAt === 'string',
      pk: { field: 'gsi2pk', composite: ['dueShard'] },
      sk: { field: 'gsi2sk', composite: ['dueAt'] },
    },
  },
});

/** One attempt of a delivery (immutable), in the delivery's own partition. */
export const WebhookAttemptEntity = new Entity({
  model: { entity: 'webhookAttempt', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    deliveryId: { type: 'string', required: true, readOnly: true },
    /** The attempt number, zero-padded so the sort key orders them. */
    seq: { type: 'string', required: true, readOnly: true },
    n: { type: 'number', required: true, readOnly: true },
    at: { type: 'string', required: true, readOnly: true },
    replay: { type: 'boolean', required: true, readOnly: true },
    status: { type: 'number', readOnly: true },
    durationMs: { type: 'number', required: true, readOnly: true },
    responseExcerpt: { type: 'string', readOnly: true },
    errorKind: { type: 'string', readOnly: true },
    errorMessage: { type: 'string', readOnly: true },
  },
  indexes: {
    byDelivery: { pk: { field: 'pk', composite: ['tenantId', 'deliveryId'] }, sk: { field: 'sk', composite: ['seq'] } },
  },
});
