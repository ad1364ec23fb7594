/**
 * Invoices: the rules and the use cases (create, edit, move between stages, list, timeline).
 *
 * Two kinds of state, kept apart (docs/architecture.md):
 * - `status` is the legal lifecycle: draft -> issued -> paid, or -> void. It never goes backwards.
 * - `stage` is the tenant's CRM pipeline (GET|PUT /v1/pipelines/invoice). Stage moves drive the status:
 *   the first move of a draft to an open or success stage ISSUES it (number + issue date, counter moved in
 *   the same transaction), a success stage makes it paid, a failure stage voids it (a draft voided this
 *   way never takes a number).
 *
 * Plain functions over plain data; storage, clock and the other features (deals, quotes) come in as ports.
 *
 * Decisions (API):
 * - Create: from scratch (`companyId` | `contactId`, `currency` required, lines optional), `{ from: { companyId |
 *   contactId } }` (client only; currency from the tenant's settings.defaultCurrency, else EUR), or `{ from:
 *   { dealId | quoteId } }` through the InvoiceSourceReader port (422 "not supported yet" without one). The
 *   client's billing details are copied (snapshot); a PATCH with companyId/contactId copies them again.
 * - Lines with a productId take the product's name, price, tax rate and unit for what they omit (given fields
 *   win); a product priced in another currency needs an explicit unitPrice (422).
 * - Edits (PATCH) while the status is draft; once issued only dueDate (payment terms get extended),
 *   dealId and responsibleUserId change; paid/void: dealId and responsibleUserId. Anything else: 409 "issued
 *   invoices cannot be edited; issue a credit note", listing the frozen fields.
 * - Issuing requires a client, a line, and the right sign: invoices and proformas a total >= 0, credit notes
 *   <= 0 (negative quantities). The issue date is today (UTC) or a given one, never in the future nor before
 *   the series' last issue date (numbers follow dates). Each type has its own series and format
 *   (INV-/PRO-/CN-{YYYY}-{000000} by default; `numbering` of PUT /v1/pipelines/invoice). The counter is kept
 *   per (series, period of the format): a format change that keeps the period continues the sequence.
 * - Stage moves: unknown stage 422; already there, or leaving a final stage, 409; every missing required field
 *   at once, 422. Moving an issued invoice back to the first stage keeps it issued (status never goes back).
 */
import type { SellerLegalDetails } from './legal-minimum';
import type { ClientDirectory, ClientSnapshot, ProductCatalog } from '../clients';
import type { ComputedLine, InvoiceTotals, LineInput, OutboxEvent, Owned, Page, PageRequest, PipelineStore, TimelineEntry } from '../kernel';
import type { IssueQueue } from './issuing';
import type { InvoiceSettlement } from './settlement';
import type { ListStep, StepRow } from './list';

export const INVOICE_TYPES = ['invoice', 'credit_note', 'proforma', 'simplified'] as const;
export type InvoiceType = (typeof INVOICE_TYPES)[number];
export const INVOICE_STATUSES = ['draft', 'issued', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
export type SourceType = 'deal' | 'quote' | 'company' | 'contact' | 'invoice';

/** Each type has its own number series (a proforma never consumes an invoice number). */
export const SERIES_OF_TYPE: Readonly<Record<InvoiceType, string>> = Object.freeze({
  invoice: 'invoice',
  credit_note: 'credit_note',
  proforma: 'proforma',
  simplified: 'simplified',
});

export interface Invoice extends Owned {
  number: string | null;
  series: string;
  type: InvoiceType;
  stage: string;
  status: InvoiceStatus;
  client: ClientSnapshot | null;
  lines: ComputedLine[];
  totals: InvoiceTotals;
  currency: string;
  issueDate: string | null;
  dueDate: string | null;
  notes?: string;
  dealId?: string;
  quoteId?: string;
  source?: { type: SourceType; id: string };
  responsibleUserId: string;
  createdBy: string;
  /** The counter value behind `number`. */
  sequence?: number;
  /** Made by a recurring invoice (scheduling area), for this period (the occurrence's date). */
  recurringInvoiceId?: string;
  period?: string;
  /** A late fee invoice: the overdue invoice it charges for. */
  lateFeeFor?: string;
  /** Money after issue, derived by the payments area from its records and cached here (settlement.ts). */
  settlement?: InvoiceSettlement;

  // Corrections (corrections.ts)
  /** F1, F2, F3, R1-R5: set when the document is issued (fiscalTypeOf); proformas have none. */
  fiscalType?: FiscalType;
  /** Credit notes: the reason code (R1-R5), its text, the method, and what happens to credit left over. */
  reason?: CorrectionReason;
  reasonText?: string;
  method?: CorrectionMethod;
  settle?: CreditSettle;
  /** Credit notes: the invoices they correct, as they were identified when the note was made. */
  corrects?: CorrectedRef[];
  /** Credit notes: what each of their lines credits of the original's lines (positive amounts). */
  credits?: CreditedLine[];
  /** Credit notes: what their credit became once issued (cached, derived from the ledger records). */
  credit?: CreditNoteFigures;
  /** Credit notes made by cancelling their original: issuing them moves the original to the failure stage (CANCELLED). */
  cancelsOriginal?: boolean;
  /** Originals: the credit notes made against them (drafts too: their amounts are reserved). */
  correctedBy?: CorrectingRef[];
  /** Proformas and the invoices they became. */
  convertedTo?: string;
  convertedFrom?: string;
  /** Simplified invoices and the full invoices (F3) replacing them. */
  replacedBy?: string;
  replaces?: { invoiceId: string; number: string | null; issueDate: string | null }[];
  /** A recapitulative invoice (recapitulative.ts): the operations of one client in one month, each line with its operation date and source. */
  recapitulative?: boolean;
  /** The deals and quotes a recapitulative invoice groups (each linked back to it when it was made). */
  sources?: { type: 'deal' | 'quote'; id: string }[];
}

export const CORRECTION_REASONS = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;
export type CorrectionReason = (typeof CORRECTION_REASONS)[number];
export const CORRECTION_METHODS = ['differences', 'substitution'] as const;
export type CorrectionMethod = (typeof CORRECTION_METHODS)[number];
export const CREDIT_SETTLES = ['credit', 'refund', 'out_of_band'] as const;
export type CreditSettle = (typeof CREDIT_SETTLES)[number];
export type FiscalType = 'F1' | 'F2' | 'F3' | CorrectionReason;

export interface CorrectedRef {
  invoiceId: string;
  number: string;
  issueDate: string | null;
}

/** A credit note of an original, with what it credits of each line (kept on the original: the caps). */
export interface CorrectingRef {
  invoiceId: string;
  number: string | null;
  issueDate: string | null;
  status: InvoiceStatus;
  lines: CreditedLine[];
}

/** What a credit note takes off one line of the original: a quantity (and its net) or a net amount. */
export interface CreditedLine {
  /** Index of the line in the original. */
  line: number;
  /** The quantity credited (0 when credited by amount). */
  quantity: string;
  /** The net amount credited. */
  net: string;
}

/** A credit note's money once issued: the part applied to its original, refunded, settled outside, left as credit. */
export interface CreditNoteFigures {
  amount: string;
  applied: string;
  refunded: string;
  settledOutside: string;
  unapplied: string;
}

/** A line as a caller gives it: with a productId, description, unitPrice, taxRate and unit may be omitted. */
export type LineDraft = Omit<LineInput, 'description' | 'unitPrice' | 'taxRate'> & {
  description?: string;
  unitPrice?: string;
  taxRate?: string;
};

export type InvoiceSeriesFormats = Record<InvoiceType, string>;

export interface NumberCounter {
  tenantId: string;
  series: string;
  period: string;
  value: number;
  /** The latest issue date numbered by this counter (numbers follow dates). */
  lastIssueDate?: string;
}

/** Moves a counter from `expected` (0: the counter does not exist yet) to `next`, or the whole write fails. */
export interface CounterAdvance {
  tenantId: string;
  series: string;
  period: string;
  expected: number;
  next: number;
  lastIssueDate: string;
}

/** The write of one invoice (created, or updated from `before`'s version), plus what goes with it. */
export interface InvoiceChange {
  before: Invoice | null;
  after: Invoice;
  timeline: TimelineEntry[];
  events: OutboxEvent[];
  /** Deletes `before` (a draft) instead of writing `after`. */
  delete?: boolean;
  /** Other invoices written with this one (e.g. the original a credit note applies to), each under its before.version. */
  linked?: InvoiceChange[];
  /** Ledger records written with it (a credit note's allocation to its original, its refund): created only when absent. */
  ledger?: CreditRecord[];
}

/** A ledger record a credit note writes when issued (the payments area's allocation and refund, same shape). */
export type CreditRecord =
  | {
      kind: 'allocation';
      tenantId: string;
      id: string;
      source: { type: 'credit_note'; id: string };
      invoiceId: string;
      clientId: string;
      currency: string;
      amount: string;
      date: string;
      fromCredit: boolean;
      createdAt: string;
      createdBy: string;
    }
  | {
      kind: 'refund';
      tenantId: string;
      id: string;
      /** The credit note's id (the refund's source). */
      paymentId: string;
      clientId: string;
      currency: string;
      amount: string;
      date: string;
      reference: string | null;
      createdAt: string;
      createdBy: string;
    };

/** Changes written together in one transaction, all or none; with the counter move of those they issue. */
export interface InvoiceCommit {
  changes: InvoiceChange[];
  counter?: CounterAdvance;
}

/**
 * 'ok'; 'stale' when some invoices are not at their `before.version` any more (or already exist, on
 * create), by index in `changes`; 'contention' when the number counter moved first or the write collided
 * with another (retry), with the counter as the refusal found it when the store can tell.
 */
export type CommitResult =
  | { outcome: 'ok' }
  | { outcome: 'stale'; members: number[] }
  | { outcome: 'contention'; counter?: NumberCounter | null }
  /**
   * Issuing only (a commit with a counter): the members' items are more than one transaction holds (DynamoDB: 100);
   * the first `fits` of them would fit, with everything the store adds. Nothing was written.
   */
  | { outcome: 'too_large'; fits: number };

// ---------------------------------------------------------------------------------------------------
// Ports

export interface InvoiceStore {
  get(tenantId: string, id: string): Promise<Invoice | null>;
  /** Writes everything in one transaction, or nothing. */
  commit(commit: InvoiceCommit): Promise<CommitResult>;
  getCounter(tenantId: string, series: string, period: string): Promise<NumberCounter | null>;
  /** Runs one step of a list plan (see list.ts). */
  queryStep(tenantId: string, step: ListStep, options: { count: number; cursor: string | null }): Promise<StepRow<Invoice>[]>;
  /** True when at least one invoice is in the stage. */
  anyInStage(tenantId: string, stage: string): Promise<boolean>;
  timeline(tenantId: string, invoiceId: string, page: PageRequest): Promise<Page<TimelineEntry>>;
}

export type SourceRef = { dealId: string } | { quoteId: string };

/** What a deal or a quote gives an invoice made from it. */
export interface InvoiceSource {
  /** The client to snapshot (read fresh from the directory)... */
  clientRef?: { companyId: string } | { contactId: string };
  /** ...or a snapshot the source already holds (e.g. the one a quote was accepted with); null: no client. */
  client?: ClientSnapshot | null;
  lines: LineDraft[];
  currency: string;
  responsibleUserId?: string;
  dealId?: string;
  quoteId?: string;
  dueDate?: string;
  notes?: string;
  type?: InvoiceType;
}

/**
 * Deals and quotes (other features) plug in here: `{ from: { dealId } }` and `{ from: { quoteId } }`
 * load their source through this port. Null when the source does not exist (422).
 */
export interface InvoiceSourceReader {
  loadSource(tenantId: string, from: SourceRef): Promise<InvoiceSource | null>;
  /** The deals and quotes one recapitulative invoice groups (the rule is sales'): refusals name their field. */
  recapitulativeSources?(tenantId: string, request: RecapitulativeRequest): Promise<RecapitulativeSource[]>;
}

/** POST /v1/invoices/recapitulative: one client, one calendar month, optionally the very deals and quotes. */
export interface RecapitulativeRequest {
  companyId?: string;
  contactId?: string;
  /** YYYY-MM */
  month: string;
  dealIds?: string[];
  quoteIds?: string[];
  dueDate?: string;
  notes?: string;
}

/** One operation of a recapitulative invoice: its source, the day it was concluded, its currency and lines. */
export interface RecapitulativeSource {
  type: 'deal' | 'quote';
  id: string;
  operationDate: string;
  currency: string;
  lines: LineInput[];
}

export interface InvoicePorts {
  invoices: InvoiceStore;
  pipelines: PipelineStore;
  clients: ClientDirectory;
  products: ProductCatalog;
  /** Absent until deals/quotes exist: `from.dealId` / `from.quoteId` are then refused with 422. */
  sources?: InvoiceSourceReader;
  /** The tenant's default currency (settings.defaultCurrency, else EUR): for invoices made without one. */
  defaultCurrency: (tenantId: string) => Promise<string>;
  /** The seller's legal details (the tenant's settings), checked when an invoice is issued; null when none are given. */
  seller: (tenantId: string) => Promise<SellerLegalDetails | null>;
  /** The tenant's limit of a simplified invoice, VAT included (settings; default "400.00"). */
  simplifiedLimit?: (tenantId: string) => Promise<string>;
  now?: () => Date;
  /** Waits between retries of a collided write; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The process's queue of issues (group commit of numbers); one is made per call when absent. */
  issueQueue?: IssueQueue;
}

export type StageMovePorts = Pick<InvoicePorts, 'invoices' | 'pipelines' | 'seller' | 'simplifiedLimit' | 'now' | 'sleep' | 'random' | 'issueQueue'>;

/** The clock of the ports (now, when they give none). */
export const nowOf = (ports: Pick<InvoicePorts, 'now'>) => (ports.now ?? (() => new Date()))();

/** The invoice with the fields it always shows present (null when empty). */
export function withNulls(invoice: Invoice): Invoice {
  return { ...invoice, number: invoice.number ?? null, client: invoice.client ?? null, issueDate: invoice.issueDate ?? null, dueDate: invoice.dueDate ?? null };
}

/** The fiscal type a document shows once issued (null for drafts and proformas). */
export function fiscalTypeOf(invoice: { type: string; status: string; reason?: CorrectionReason; replaces?: unknown[] }): FiscalType | null {
  if (invoice.status === 'draft') return null;
  if (invoice.type === 'credit_note') return invoice.reason ?? 'R4';
  if (invoice.type === 'simplified') return 'F2';
  if (invoice.type === 'invoice') return invoice.replaces?.length ? 'F3' : 'F1';
  return null;
}
