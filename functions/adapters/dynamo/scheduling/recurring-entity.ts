import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from '../common';

/**
 * A recurring invoice (functions/domain/scheduling/recurring.ts). `dueKey`/`dueSort` put an active schedule
 * in the sparse, cross-tenant `byDue` index the daily job reads ('' when paused or completed: not there).
 */
export const RecurringInvoiceEntity = new Entity({
  model: { entity: 'recurringInvoice', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    companyId: { type: 'string' },
    contactId: { type: 'string' },
    currency: { type: 'string', required: true },
    lines: { type: 'any', required: true },
    notes: { type: 'string' },
    interval: { type: ['week', 'month', 'year'] as const, required: true },
    intervalCount: { type: 'number', required: true },
    startDate: { type: 'string', required: true },
    endDate: { type: 'string' },
    count: { type: 'number' },
    dueInDays: { type: 'number', required: true },
    issue: { type: 'boolean', required: true },
    send: { type: ['email', 'none'] as const, required: true },
    status: { type: ['active', 'paused', 'completed'] as const, required: true },
    nextIndex: { type: 'number', required: true },
    nextDate: { type: 'string' },
    made: { type: 'number', required: true },
    lastPeriod: { type: 'string' },
    lastInvoiceId: { type: 'string' },
    pausedAt: { type: 'string' },
    dueKey: { type: 'string', required: true },
    dueSort: { type: 'string', required: true },
  },
  indexes: {
    byId: byIdIndex,
    byDue: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['dueKey'] },
      sk: { field: 'gsi2sk', composite: ['dueSort'] },
      condition: (attr) => !!attr.dueKey,
    },
  },
});
