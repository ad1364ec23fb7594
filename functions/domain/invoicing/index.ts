/**
 * Invoicing: invoices (drafts, edits, stage moves that issue them with gapless numbers, lists and search,
 * timelines) and the tenant's invoice pipeline and number formats. Imports the kernel and clients only;
 * deals and quotes plug in through the InvoiceSourceReader port (sales implements it).
 *
 *   Invoice.create / update / moveToStage / reachStage / get / list / timeline / view   (Invoice.Info: the record)
 *   InvoicePipeline.get / update / effective
 *   InvoiceList.plan / run / invoiceKeys ...     (how lists become index queries; the adapters run them)
 *   Issuing.createIssueQueue ...                 (group commit of numbers)
 *   Settlement.settlementOf / settle / amountPayable / taxInclusiveTotal / unpayableReason   (money on an invoice: the
 *                                                payments area derives the figures and writes them with `settle`)
 *
 *   Corrections.createCreditNote / cancel / remove / applyCredit / convert / replace   (corrections and invoice types:
 *                                                corrections.ts, credit-notes.ts, conversion.ts; issuing a credit
 *                                                note applies it: move.ts)
 *   Recapitulative.create / recapitulativeLines  (one draft for a client's won deals and accepted quotes of a month,
 *                                                linked to them in the transaction that writes it)
 *   SourceLinks.sourceEntries / releasesOf / releaseEntries   (the deals and quotes an invoice is made from: their
 *                                                timeline entries; a deleted draft or an invoice that becomes void, e.g.
 *                                                cancelled, gives them back: the store releases them in that write)
 */
export * as Invoice from './invoice';
export * as Corrections from './correction';
export * as InvoicePipeline from './pipeline-settings';
export * as InvoiceList from './list';
export * as Issuing from './issuing';
export * as Settlement from './settlement';
export * as LegalMinimum from './legal-minimum';
export * as Recapitulative from './recapitulative';
export * as SourceLinks from './source-links';
export type {
  CommitResult,
  CorrectedRef,
  CorrectingRef,
  CorrectionMethod,
  CorrectionReason,
  CreditedLine,
  CreditNoteFigures,
  CreditRecord,
  CreditSettle,
  FiscalType,
  CounterAdvance,
  InvoiceChange,
  InvoiceCommit,
  InvoicePorts,
  InvoiceSeriesFormats,
  InvoiceSource,
  InvoiceSourceReader,
  InvoiceStatus,
  InvoiceStore,
  InvoiceType,
  LineDraft,
  NumberCounter,
  SourceRef,
  RecapitulativeRequest,
  RecapitulativeSource,
  SourceType,
  StageMovePorts,
} from './model';
export { CORRECTION_METHODS, CORRECTION_REASONS, CREDIT_SETTLES, INVOICE_STATUSES, INVOICE_TYPES, SERIES_OF_TYPE } from './model';
export type { EffectiveInvoicePipeline } from './pipeline-settings';
export type { SellerLegalDetails } from './legal-minimum';
export type { InvoiceIndex, InvoiceListFilters, InvoiceSort, ListStep, ResidualFilters, StepRow } from './list';
export type { IssueQueue } from './issuing';
export type { InvoiceSettlement, PaymentStatus, SettlementView } from './settlement';
export { PAYMENT_STATUSES } from './settlement';
