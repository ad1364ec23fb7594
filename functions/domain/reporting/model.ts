/**
 * Reports: plain functions over the records a report is given (invoices, ledger records, payments); the
 * clock and the `asOf` day are arguments, so the same records on the same `asOf` always give the same report.
 *
 * Figures and what they reconcile with (tests rebuild each from the records):
 * - the sales ledger (libro registro de facturas expedidas): one row per document per VAT rate; its bases and
 *   VAT are the sums of the documents' `totals.taxBreakdown`, its withholding the documents' `totals.withholding`;
 * - the VAT summary by accrual = the ledger's totals per rate; by cash = payments' allocations in the period
 *   prorated to each invoice's breakdown (allocation / amountPayable), reversals in the period subtracted;
 * - aging as of a day: each invoice issued by then owes amountPayable - the allocations dated by then that were
 *   not reversed by then (never today's cached balances); unapplied credit = payments received by then minus
 *   their allocations and refunds by then, shown apart;
 * - journal: every entry's debits equal its credits.
 *
 * Documents in the reports: issued invoices and credit notes (paid ones too); drafts, proformas and cancelled
 * (void) documents are left out.
 */
import type { Invoice, InvoiceStore } from '../invoicing';
import type { Pipeline } from '../kernel';
import type { LedgerStore } from '../payments';
import type { OpenDeal, RecurringPlan } from './forecast';
import type { JournalAccounts } from './journal';

export type ReportInvoice = Invoice.Info & {
  /** AEAT TipoFactura (F1, F2, F3, R1..R5) when already known; else derived by invoicing's rule. */
  fiscalType?: string | null;
  operationDate?: string | null;
};

export interface ReportingPorts {
  invoices: Pick<InvoiceStore, 'queryStep' | 'get'>;
  ledger: Pick<LedgerStore, 'recordsBetween' | 'listPayments'>;
  /** Open deals of the tenant (forecast); none when absent. */
  openDeals?: (tenantId: string) => Promise<OpenDeal[]>;
  /** The tenant's deal pipeline (its open stages weigh the deals). */
  dealPipeline?: (tenantId: string) => Promise<Pipeline>;
  /** Recurring schedules' planned amounts per month (forecast); none when absent. */
  recurring?: RecurringPlan;
  /** The tenant's journal accounts (settings `accounting.accounts`); the defaults when absent. */
  accounts?: (tenantId: string) => Promise<Partial<JournalAccounts>>;
  now?: () => Date;
}

export const nowOf = (ports: Pick<ReportingPorts, 'now'>) => (ports.now ?? (() => new Date()))();

/** A document that belongs in the reports (see the file comment). */
export function inReports(invoice: Pick<Invoice.Info, 'type' | 'status' | 'issueDate'>): boolean {
  return (invoice.type === 'invoice' || invoice.type === 'credit_note') && (invoice.status === 'issued' || invoice.status === 'paid') && !!invoice.issueDate;
}
