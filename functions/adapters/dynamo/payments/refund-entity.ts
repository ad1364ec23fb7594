import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/** Money given back to a client out of a payment's unapplied money. Immutable, in the payment's partition. */
export const RefundEntity = new Entity({
  model: { entity: 'refund', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    id: { type: 'string', required: true, readOnly: true },
    paymentId: { type: 'string', required: true, readOnly: true },
    clientId: { type: 'string', required: true, readOnly: true },
    currency: { type: 'string', required: true, readOnly: true },
    amount: { type: 'string', required: true, readOnly: true },
    date: { type: 'string', required: true, readOnly: true },
    reference: { type: 'string', readOnly: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    createdBy: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byPayment: { pk: { field: 'pk', composite: ['tenantId', 'paymentId'] }, sk: { field: 'sk', composite: ['id'] } },
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
  },
});
