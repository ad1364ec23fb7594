/**
 * The `Payment` namespace: `Payment.record`, `recordForInvoice`, `allocate`, `refund`, `get`, `list`,
 * `ofInvoice`, `settle` (by externalId, for card payments), `view`; the record type is `Payment.Info`.
 */
export { allocate, get, record, recordForInvoice, refund, type InvoicePaymentCommand, type RecordPaymentCommand } from './payment';
export { list, ofInvoice } from './read';
export { settle, type ExternalSettlement } from './settle';
export { paymentView as view } from './view';
export type { Payment as Info } from './model';
