import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from '../common';

/**
 * A quote. `status` is the stored one (draft, sent, accepted, declined); "expired" is computed on read.
 * A sent quote's publicToken is also a publicLink record (written in the send transaction), which
 * is how the public page finds the quote without a tenant.
 */
export const QuoteEntity = new Entity({
  model: { entity: 'quote', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    number: { type: 'string' },
    series: { type: 'string', required: true },
    status: { type: ['draft', 'sent', 'accepted', 'declined'] as const, required: true },
    client: { type: 'any', required: true },
    // '' = none: index composites must be present
    companyId: { type: 'string', default: '' },
    contactId: { type: 'string', default: '' },
    dealId: { type: 'string', default: '' },
    clientId: { type: 'string', default: '' },
    lines: { type: 'any', required: true },
    totals: { type: 'any', required: true },
    currency: { type: 'string', required: true },
    validUntil: { type: 'string' },
    notes: { type: 'string' },
    responsibleUserId: { type: 'string' },
    issueDate: { type: 'string' },
    sentAt: { type: 'string' },
    sendCount: { type: 'number' },
    publicToken: { type: 'string' },
    declinedAt: { type: 'string' },
    acceptedAt: { type: 'string' },
    acceptance: { type: 'any' },
    invoiceId: { type: 'string' },
  },
  indexes: {
    byId: byIdIndex,
    byDeal: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'dealId'] },
      sk: { field: 'gsi1sk', composite: ['id'] },
    },
    byClient: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'clientId'] },
      sk: { field: 'gsi2sk', composite: ['id'] },
    },
  },
});
