import { Entity } from 'electrodb';
import { SERVICE, byIdIndex } from '../common';

/**
 * A bank statement row already imported, by its fingerprint (functions/domain/payments/bank-import.ts):
 * importing it again creates nothing. A row that made a payment is written in the payment's transaction.
 */
export const BankRowEntity = new Entity({
  model: { entity: 'bankRow', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    fingerprint: { type: 'string', required: true, readOnly: true },
    importId: { type: 'string', required: true, readOnly: true },
    row: { type: 'number', required: true, readOnly: true },
    status: { type: ['matched', 'suggested', 'unmatched'] as const, required: true, readOnly: true },
    paymentId: { type: 'string', readOnly: true },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byFingerprint: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['fingerprint'] } },
  },
});

/** One real (not dry-run) statement import: who, when, how many rows, the summary. */
export const BankImportEntity = new Entity({
  model: { entity: 'bankImport', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    id: { type: 'string', required: true, readOnly: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    createdBy: { type: 'string', required: true, readOnly: true },
    rows: { type: 'number', required: true, readOnly: true },
    summary: { type: 'any', required: true, readOnly: true },
  },
  indexes: { byId: byIdIndex },
});
