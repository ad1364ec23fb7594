import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/**
 * A number counter per tenant, series and period ('2026', '2026-05' or 'all', from the format). It moves
 * only inside the transaction that issues the invoice it numbers, conditioned on the value read.
 */
export const NumberCounterEntity = new Entity({
  model: { entity: 'numberCounter', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    series: { type: 'string', required: true, readOnly: true },
    period: { type: 'string', required: true, readOnly: true },
    value: { type: 'number', required: true },
    lastIssueDate: { type: 'string' },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    byId: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['series', 'period'] } },
  },
});
