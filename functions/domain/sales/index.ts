/**
 * Sales: leads (and their conversion into a deal and a client), deals, quotes (sending, the client's
 * acceptance on the public page, the invoice that follows), the lead and deal pipelines, and deals and quotes
 * as invoice sources. Imports the kernel, clients, documents (public links, the documents a client is
 * shown) and invoicing (an accepted quote makes its invoice).
 *
 *   Lead.create / get / list / update / moveToStage / remove        LeadConversion.convert
 *   Deal.create / get / list / update / moveToStage / remove / view
 *   Quote.create / get / list / update / remove / decline / view     QuoteSending.send
 *   QuoteAcceptance.accept / invoiceAccepted                           SalesPipeline.get / update / view
 *   InvoiceSources.fromDeal / fromQuote / reader (invoicing's source port)
 *   RecapitulativeSelection.selectRecapitulative / recapitulativeSources (which operations a recapitulative invoice groups)
 */
export * as Lead from './lead';
export * as LeadConversion from './lead-conversion';
export * as Deal from './deal';
export * as Quote from './quote';
export * as QuoteSending from './quote-send';
export * as QuoteAcceptance from './quote-acceptance';
export * as SalesPipeline from './pipeline-settings';
export * as InvoiceSources from './invoice-source';
export * as RecapitulativeSelection from './recapitulative';
export type { LeadPorts, LeadStore, LeadInput, LeadChanges, LeadFilter } from './lead';
export type { ConversionPlan, ConversionPorts, CommitOutcome } from './lead-conversion';
export type { DealPorts, DealStore, DealInput, DealChanges, DealFilter } from './deal';
export type { QuoteAcceptance as QuoteAcceptanceRecord, QuotePorts, QuoteStatus, QuoteStore, QuoteFilter } from './quote';
export type { QuoteNumbering, SendOutcome, SendPlan, SendPorts } from './quote-send';
export type { AcceptancePlan, AcceptancePorts } from './quote-acceptance';
export type { PipelineSource, SalesEntity, StageUsage } from './pipeline-settings';
export type { QuoteSource, SalesSource } from './invoice-source';
