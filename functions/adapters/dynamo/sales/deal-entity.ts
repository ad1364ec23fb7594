import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, lookupIndex, ownedAttributes } from '../common';

/** A deal: client, priced lines (amount = totals.total) and a stage of the tenant's deal pipeline. */
export const DealEntity = new Entity({
  model: { entity: 'deal', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    title: { type: 'string', required: true },
    // '' = none: index composites must be present
    companyId: { type: 'string', default: '' },
    contactId: { type: 'string', default: '' },
    lines: { type: 'any', required: true },
    totals: { type: 'any', required: true },
    amount: { type: 'string', required: true },
    currency: { type: 'string', required: true },
    stage: { type: 'string', required: true },
    status: { type: ['open', 'won', 'lost'] as const, required: true },
    responsibleUserId: { type: 'string' },
    contractNumber: { type: 'string' },
    leadId: { type: 'string' },
    closedAt: { type: 'string' },
    /** The invoice that billed the deal in full (a recapitulative invoice); set once. */
    invoiceId: { type: 'string' },
  },
  indexes: {
    byId: byIdIndex,
    byStage: lookupIndex('gsi1', 'stage'),
    byCompany: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'companyId'] },
      sk: { field: 'gsi2sk', composite: ['id'] },
    },
    byContact: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId', 'contactId'] },
      sk: { field: 'gsi3sk', composite: ['id'] },
    },
  },
});
