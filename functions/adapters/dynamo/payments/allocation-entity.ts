import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/** What every ledger record of a credit source (allocation, reversal) carries. */
const sourceAttributes = {
  tenantId: { type: 'string', required: true, readOnly: true },
  id: { type: 'string', required: true, readOnly: true },
  sourceType: { type: ['payment', 'credit_note'] as const, required: true, readOnly: true },
  sourceId: { type: 'string', required: true, readOnly: true },
  invoiceId: { type: 'string', required: true, readOnly: true },
  clientId: { type: 'string', required: true, readOnly: true },
  currency: { type: 'string', required: true, readOnly: true },
  amount: { type: 'string', required: true, readOnly: true },
  date: { type: 'string', required: true, readOnly: true },
  createdAt: { type: 'string', required: true, readOnly: true },
  createdBy: { type: 'string', required: true, readOnly: true },
} as const;

/** The indexes both allocations and reversals are found by: invoice, tenant + date, client + date. */
const ledgerIndexes = {
  byInvoice: {
    index: 'gsi1',
    pk: { field: 'gsi1pk', composite: ['tenantId', 'invoiceId'] },
    sk: { field: 'gsi1sk', composite: ['id'] },
  },
  byDate: {
    index: 'gsi2',
    pk: { field: 'gsi2pk', composite: ['tenantId'] },
    sk: { field: 'gsi2sk', composite: ['date', 'id'] },
  },
  byClient: {
    index: 'gsi3',
    pk: { field: 'gsi3pk', composite: ['tenantId', 'clientId'] },
    sk: { field: 'gsi3sk', composite: ['date', 'id'] },
  },
} as const;

/**
 * An allocation: part of a credit source (a payment; later a credit note) applied to one invoice. Immutable.
 * Its partition is the source's, so a payment's allocations are one consistent query.
 */
export const AllocationEntity = new Entity({
  model: { entity: 'allocation', version: '1', service: SERVICE },
  attributes: { ...sourceAttributes, fromCredit: { type: 'boolean', required: true, readOnly: true } },
  indexes: {
    bySource: { pk: { field: 'pk', composite: ['tenantId', 'sourceId'] }, sk: { field: 'sk', composite: ['id'] } },
    ...ledgerIndexes,
  },
});

/**
 * The reversal of one allocation, with its own date and reason. Its sort key is the allocation's id: a
 * second reversal of the same allocation cannot be created.
 */
export const ReversalEntity = new Entity({
  model: { entity: 'reversal', version: '1', service: SERVICE },
  attributes: {
    ...sourceAttributes,
    allocationId: { type: 'string', required: true, readOnly: true },
    reason: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    bySource: { pk: { field: 'pk', composite: ['tenantId', 'sourceId'] }, sk: { field: 'sk', composite: ['allocationId'] } },
    ...ledgerIndexes,
  },
});
