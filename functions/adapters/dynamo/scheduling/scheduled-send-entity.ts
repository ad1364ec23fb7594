import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/**
 * A scheduled send of an invoice. `dueKey`/`dueSort` put it in the sparse, cross-tenant `byDue` index the
 * sweep reads while it is scheduled or being sent ('' once sent, cancelled or skipped: out of the index).
 */
export const ScheduledSendEntity = new Entity({
  model: { entity: 'scheduledSend', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    id: { type: 'string', required: true, readOnly: true },
    invoiceId: { type: 'string', required: true },
    sendAt: { type: 'string', required: true },
    channel: { type: ['email', 'sms'] as const, required: true },
    to: { type: 'string' },
    subject: { type: 'string' },
    message: { type: 'string' },
    templateId: { type: 'string' },
    status: { type: ['scheduled', 'sending', 'sent', 'cancelled', 'skipped'] as const, required: true },
    reason: { type: 'string' },
    runId: { type: 'string' },
    claimedAt: { type: 'string' },
    sentAt: { type: 'string' },
    createdBy: { type: 'string', required: true },
    version: { type: 'number', required: true },
    createdAt: { type: 'string', required: true },
    updatedAt: { type: 'string', required: true },
    dueKey: { type: 'string', required: true },
    dueSort: { type: 'string', required: true },
  },
  indexes: {
    byId: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['id'] } },
    byInvoice: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'invoiceId'] },
      sk: { field: 'gsi1sk', composite: ['sendAt', 'id'] },
    },
    byDue: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['dueKey'] },
      sk: { field: 'gsi2sk', composite: ['dueSort'] },
      condition: (attr) => !!attr.dueKey,
    },
  },
});
