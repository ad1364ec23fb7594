import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from '../common';

/**
 * A payment: money received from a client (functions/domain/payments/model.ts). The record is written once;
 * its cached figures (allocated, refunded, unapplied) change only in the transactions that write the
 * allocations, reversals and refunds behind them, under the version read.
 */
export const PaymentEntity = new Entity({
  model: { entity: 'payment', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    clientId: { type: 'string', required: true, readOnly: true },
    currency: { type: 'string', required: true, readOnly: true },
    amount: { type: 'string', required: true, readOnly: true },
    date: { type: 'string', required: true, readOnly: true },
    method: { type: 'string', required: true, readOnly: true },
    reference: { type: 'string' },
    externalId: { type: 'string' },
    origin: { type: 'string', required: true },
    createdBy: { type: 'string', required: true },
    allocated: { type: 'string', required: true },
    refunded: { type: 'string', required: true },
    unapplied: { type: 'string', required: true },
  },
  indexes: {
    byId: byIdIndex,
    byDate: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId'] },
      sk: { field: 'gsi1sk', composite: ['date', 'id'] },
    },
    byClient: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'clientId'] },
      sk: { field: 'gsi2sk', composite: ['date', 'id'] },
    },
  },
});

/** The claim of an externalId by one payment of the tenant: created with the payment, never twice. */
export const PaymentExternalIdEntity = new Entity({
  model: { entity: 'paymentExternalId', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    externalId: { type: 'string', required: true, readOnly: true },
    paymentId: { type: 'string', required: true, readOnly: true },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byExternalId: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['externalId'] } },
  },
});
