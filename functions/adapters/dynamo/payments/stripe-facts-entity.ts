import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/**
 * What Stripe's events said about one payment intent (StripeIntake.PaymentFacts), merged, under the payment
 * intent's id alone: a refund or dispute event names only the payment intent, and this record tells whose it
 * is. Version-conditioned writes (two events of one payment intent at once: one re-reads and merges again).
 */
export const StripeFactsEntity = new Entity({
  model: { entity: 'stripeFacts', version: '1', service: SERVICE },
  attributes: {
    externalId: { type: 'string', required: true, readOnly: true },
    tenantId: { type: 'string', required: true, readOnly: true },
    /** The PaymentFacts record, as JSON. */
    facts: { type: 'string', required: true },
    version: { type: 'number', required: true },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    byExternalId: { pk: { field: 'pk', composite: ['externalId'] }, sk: { field: 'sk', composite: [] } },
  },
});
