import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from '../common';

/**
 * A webhook subscription (functions/domain/webhooks/subscriptions.ts): endpoint, event patterns, paused
 * flag and its signing secrets, each sealed by the SecretCipher (never stored in the clear).
 */
export const WebhookSubscriptionEntity = new Entity({
  model: { entity: 'webhookSubscription', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    url: { type: 'string', required: true },
    events: { type: 'list', items: { type: 'string' }, required: true },
    description: { type: 'string' },
    paused: { type: 'boolean', required: true },
    /** [{ value: SealedSecret, createdAt, expiresAt | null }], newest first. */
    secrets: { type: 'any', required: true },
  },
  indexes: {
    byId: byIdIndex,
  },
});
