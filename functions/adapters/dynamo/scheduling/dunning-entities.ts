import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/** The tenant's reminder policy (one per tenant). */
export const DunningPolicyEntity = new Entity({
  model: { entity: 'dunningPolicy', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    enabled: { type: 'boolean', required: true },
    steps: { type: 'any', required: true },
    lateFee: { type: 'any' },
    version: { type: 'number', required: true },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    byTenant: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: [] } },
  },
});

/** One (invoice, step) reminder: claimed before it is sent, so it is sent at most once. */
export const ReminderEntity = new Entity({
  model: { entity: 'reminder', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    invoiceId: { type: 'string', required: true, readOnly: true },
    stepId: { type: 'string', required: true, readOnly: true },
    status: { type: ['claimed', 'sent', 'skipped'] as const, required: true },
    reason: { type: 'string' },
    asOf: { type: 'string', required: true },
    channel: { type: ['email', 'sms'] as const, required: true },
    runId: { type: 'string' },
    at: { type: 'string', required: true },
  },
  indexes: {
    byInvoice: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['invoiceId', 'stepId'] } },
  },
});

/** An invoice's overdue episodes: the current one (open or closed) and its number. */
export const OverdueEpisodeEntity = new Entity({
  model: { entity: 'overdueEpisode', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    invoiceId: { type: 'string', required: true, readOnly: true },
    episode: { type: 'number', required: true },
    open: { type: 'boolean', required: true },
    openedOn: { type: 'string', required: true },
    closedOn: { type: 'string' },
    version: { type: 'number', required: true },
    /** 'open' while open: the tenant's open episodes are one query ('' leaves the index). */
    openKey: { type: 'string', required: true },
  },
  indexes: {
    byInvoice: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['invoiceId'] } },
    openByTenant: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId', 'openKey'] },
      sk: { field: 'gsi3sk', composite: ['invoiceId'] },
      condition: (attr) => !!attr.openKey,
    },
  },
});
