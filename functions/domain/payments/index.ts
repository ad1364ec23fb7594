/**
 * Payments: money received from clients and what it pays, as a ledger of immutable records (payments,
 * allocations, reversals, refunds; credit notes join as a second credit source in issue 9), with every
 * balance derived from them (model.ts says how, figures.ts derives, ledger.ts keeps the caches true).
 * Imports the kernel, clients and invoicing (the invoice's money and its automatic move to PAID go through
 * invoicing's Settlement).
 *
 *   Payment.record / recordForInvoice / allocate / refund / get / list / ofInvoice / settle / view   (Payment.Info)
 *   Allocation.reverse                                 (one allocation, nothing else)
 *   ClientBalance.of / ledger / fromRecords            (per currency, with unappliedCredit and creditUsed)
 *   LedgerFigures.paymentFigures / invoiceFigures / clientBalance / rebuild   (pure derivations from the records)
 *   BankImport.run / parse / match                     (bank statement CSV: dry run, matching, idempotent re-import)
 *
 * Payment by the client: bank transfer details as an EPC QR code, card payment through Stripe Checkout
 * (amounts, keys, and the reading of Stripe's webhook events into order-independent payment facts, which
 * StripeWebhook hands to the ledger's settle verb). Pure; the Stripe client is an adapter
 * (functions/adapters/payments) behind CardPaymentGateway.
 */
export * as Payment from './payment-verbs';
export * as Allocation from './allocation';
export * as ClientBalance from './balance';
export * as LedgerFigures from './figures';
export * as BankImport from './bank-import';
export * as PaymentLocks from './lock';
export type {
  Allocation as AllocationRecord,
  BankImportRecord,
  BankRowRecord,
  CreditSource,
  CreditSourceType,
  LedgerCommit,
  LedgerRecords,
  LedgerResult,
  LedgerStore,
  OpenInvoiceFinder,
  PaymentListFilter,
  PaymentMethod,
  PaymentOrigin,
  PaymentPorts,
  Refund,
  Reversal,
} from './model';
export { PAYMENT_METHODS } from './model';
export type { PaymentView } from './view';
export type { StatementMapping, StatementRow } from './bank-csv';

export * as EpcQr from './epc-qr';
export * as StripeAmounts from './stripe-amounts';
export * as StripeIntake from './stripe-intake';
export * as StripeSettings from './stripe-settings';
/** By name too: a function that only asks whether keys are set (the hosted page) then bundles just that. */
export { storedStripeKeys } from './stripe-settings';
export { epcQrPayload } from './epc-qr';
export type { EpcTransfer } from './epc-qr';
export type { PaymentFacts, StripeEventLike, StripeFact } from './stripe-intake';
export type { StoredStripeKeys, StripeKeys, StripeKeysDescription } from './stripe-settings';
export type { CardPaymentGateway, CheckoutSession, CheckoutSessionRequest } from './card-gateway';
export * as StripeWebhook from './stripe-webhook';
export type { IntakeResult, Settlement, StripeIntakePorts } from './stripe-webhook';
