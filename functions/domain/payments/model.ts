/**
 * Payments: the money side of invoices, as a ledger of immutable records.
 *
 * Records (each written once, never edited; ids with a type prefix):
 * - Payment `pay_`: money received from a client (amount, currency, date, method, reference, externalId).
 * - Allocation `alc_`: part of a CREDIT SOURCE applied to one invoice. A source is a payment today; a
 *   credit note tomorrow (issue 9: `source: { type: 'credit_note', id }`, the same record, the same rules).
 * - Reversal `rev_`: undoes ONE allocation (a bank return, a wrong match), with its own date and reason.
 *   At most one per allocation (its key is the allocation's id): the others are untouched.
 * - Refund `rfd_`: money given back to the client out of a payment's unapplied money, with its own date.
 *
 * Derived figures (figures.ts, one pure function each, rebuilt from the records by a test):
 * - payment: allocated = active allocations; refunded = refunds; unapplied = amount - allocated - refunded >= 0;
 * - invoice: amountPaid (active allocations from payments), amountCredited (from credit notes), balanceDue,
 *   paymentStatus, paidAt (invoicing/settlement.ts turns the sums into figures);
 * - client, per currency: invoiced, paid, credited, balanceDue, overdue, unappliedCredit, creditUsed.
 * They are cached on the payment and invoice items in the SAME transaction as the record that changes them,
 * each write conditioned on the version read: two concurrent allocations cannot both spend the same balance
 * (the loser re-reads and is refused, or fits what is left).
 *
 * Client credit = unapplied money of the client's payments (+ later, unapplied credit of credit notes).
 * `creditUsed` ("saldo utilizado") = the part of that credit applied to invoices LATER, i.e. the active
 * allocations made from money that was already the client's credit when it was applied: every allocation
 * made after its source was recorded (POST /v1/payments/{id}/allocations; credit-note credit applied to
 * another invoice), as opposed to the allocations made together with the payment itself. Such
 * allocations carry `fromCredit: true`.
 */
import type { ClientDirectory } from '../clients';
import type { InvoiceChange, InvoiceStore, Invoice } from '../invoicing';
import type { KeyedLock } from './lock';
import type { OutboxEvent, Owned, Page, PageRequest, PipelineStore, TimelineEntry } from '../kernel';

export const PAYMENT_METHODS = ['bank_transfer', 'card', 'cash', 'direct_debit', 'cheque', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** How a payment came in. */
export type PaymentOrigin = 'api' | 'invoice' | 'bank_statement' | 'stripe';

/** What an allocation draws on. */
export type CreditSourceType = 'payment' | 'credit_note';
export interface CreditSource {
  type: CreditSourceType;
  id: string;
}

export interface Payment extends Owned {
  clientId: string;
  currency: string;
  amount: string;
  /** The day the money was received (YYYY-MM-DD): cash-basis reports count it on this day. */
  date: string;
  method: PaymentMethod;
  reference: string | null;
  /** The payment in another system (bank row, payment intent); unique per tenant. */
  externalId: string | null;
  origin: PaymentOrigin;
  createdBy: string;
  /** Cached, derived (figures.ts). */
  allocated: string;
  refunded: string;
  unapplied: string;
}

export interface Allocation {
  tenantId: string;
  id: string;
  source: CreditSource;
  invoiceId: string;
  clientId: string;
  currency: string;
  amount: string;
  /** The day the money counts for the invoice: the payment's date, or the day credit was applied later. */
  date: string;
  /** Made from money that was already the client's credit (see creditUsed above). */
  fromCredit: boolean;
  createdAt: string;
  createdBy: string;
}

export interface Reversal {
  tenantId: string;
  id: string;
  allocationId: string;
  source: CreditSource;
  invoiceId: string;
  clientId: string;
  currency: string;
  amount: string;
  date: string;
  reason: string;
  createdAt: string;
  createdBy: string;
}

export interface Refund {
  tenantId: string;
  id: string;
  paymentId: string;
  clientId: string;
  currency: string;
  amount: string;
  date: string;
  reference: string | null;
  createdAt: string;
  createdBy: string;
}

/** The records of one payment, one invoice or one client. */
export interface LedgerRecords {
  allocations: Allocation[];
  reversals: Reversal[];
  refunds: Refund[];
}

/** A row of a bank statement, remembered by its fingerprint so that a second import of it creates nothing. */
export interface BankRowRecord {
  tenantId: string;
  fingerprint: string;
  importId: string;
  row: number;
  status: 'matched' | 'suggested' | 'unmatched';
  paymentId?: string;
  createdAt: string;
}

export interface BankImportRecord {
  tenantId: string;
  id: string;
  createdAt: string;
  createdBy: string;
  rows: number;
  summary: Record<'matched' | 'suggested' | 'unmatched' | 'duplicate', number>;
}

/** Everything one ledger verb writes, in ONE transaction, all or nothing. */
export interface LedgerCommit {
  /** Created (before null) or updated under before.version. */
  payments: { before: Payment | null; after: Payment }[];
  /** Invoice figures (and the stage moves they cause), each under its before.version. */
  invoices: InvoiceChange[];
  /** Created only when absent. */
  allocations: Allocation[];
  /** Created only when the allocation has none yet. */
  reversals: Reversal[];
  refunds: Refund[];
  /** The payment's externalId, claimed for the tenant (refused when another payment holds it). */
  externalId?: { externalId: string; paymentId: string };
  /** Statement rows remembered with the payment they made (refused when already remembered). */
  bankRows?: BankRowRecord[];
  timeline: TimelineEntry[];
  events: OutboxEvent[];
}

/**
 * 'stale': something read changed meanwhile (a version, a reversal already there): read again and re-plan;
 * 'contention': the write collided (TransactionConflict): retry; 'duplicate_external_id': another payment
 * holds the externalId (its id when the store can tell); 'duplicate_row': a statement row is already known.
 */
export type LedgerResult =
  | { outcome: 'ok' }
  | { outcome: 'stale' }
  | { outcome: 'contention' }
  | { outcome: 'duplicate_external_id'; existingId: string | null }
  | { outcome: 'duplicate_row' };

export interface PaymentListFilter {
  clientId?: string;
  dateFrom?: string;
  dateTo?: string;
}

export interface LedgerStore {
  getPayment(tenantId: string, id: string): Promise<Payment | null>;
  getPayments(tenantId: string, ids: string[]): Promise<Payment[]>;
  paymentIdByExternalId(tenantId: string, externalId: string): Promise<string | null>;
  /** Allocations and reversals drawn on one credit source, and (for a payment) its refunds. */
  recordsOfSource(tenantId: string, source: CreditSource): Promise<LedgerRecords>;
  /** Allocations to one invoice and their reversals (refunds: none). */
  recordsOfInvoice(tenantId: string, invoiceId: string): Promise<LedgerRecords>;
  /** Every allocation, reversal and refund of one client. */
  recordsOfClient(tenantId: string, clientId: string): Promise<LedgerRecords>;
  /**
   * Every allocation, reversal and refund of the tenant dated from `from` to `to` (YYYY-MM-DD, inclusive), by
   * its own date: what cash-basis reports and an aging "as of" a past date are rebuilt from.
   */
  recordsBetween(tenantId: string, from: string, to: string): Promise<LedgerRecords>;
  /** Newest payment date first. */
  listPayments(tenantId: string, filter: PaymentListFilter, page: PageRequest): Promise<Page<Payment>>;
  /** Rows already remembered, by fingerprint. */
  knownRows(tenantId: string, fingerprints: string[]): Promise<Map<string, BankRowRecord>>;
  /** Remembers statement rows that made no payment (each only when absent). */
  rememberRows(rows: BankRowRecord[]): Promise<void>;
  saveImport(record: BankImportRecord): Promise<void>;
  commit(commit: LedgerCommit): Promise<LedgerResult>;
}

/** Issued invoices of a tenant in its open stages, for matching bank rows. */
export interface OpenInvoiceFinder {
  openInvoices(tenantId: string, openStages: string[]): Promise<Invoice.Info[]>;
}

export interface PaymentPorts {
  ledger: LedgerStore;
  invoices: InvoiceStore;
  pipelines: PipelineStore;
  clients: ClientDirectory;
  openInvoices?: OpenInvoiceFinder;
  /** The process's queue per ledger item (lock.ts); without one, concurrent verbs only rely on the conditions. */
  lock?: KeyedLock;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const nowOf = (ports: Pick<PaymentPorts, 'now'>) => (ports.now ?? (() => new Date()))();
