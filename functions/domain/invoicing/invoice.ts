/**
 * Invoices: the rules and the use cases (create, edit, move between stages, list, timeline).
 *
 * Two kinds of state, kept apart (CONVENTIONS.md, habit 7):
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
import type { DeliverySubject } from '../delivery/run';
import { clientSnapshot, withoutEmpty, type ClientDirectory, type ClientSnapshot } from '../clients/client';
import { Conflict, InvalidInput, NotFound, RuleViolation, staleVersion, type FieldError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import { computeInvoice, InvoiceTotalsError, type ComputedLine, type InvoiceTotals, type LineInput } from '../kernel/pricing';
import { outboxEvent, type OutboxEvent } from '../kernel/outbox';
import { busy, createIssueQueue, jitteredBackoff, type IssueQueue } from './issuing';
import { InvalidListCursor, invoiceKeys, planInvoiceList, runListPlan, type InvoiceListFilters, type ListStep, type StepRow } from './list';
import { dec } from '../kernel/money';
import { defaultNumberFormat, validateNumberFormat } from '../kernel/numbering';
import {
  canMove,
  DEFAULT_INVOICE_PIPELINE,
  findStage,
  initialStage,
  missingFields,
  validatePipeline,
  type EntityKind,
  type Pipeline,
  type Stage,
} from '../kernel/pipeline';
import type { Owned, Page, PageRequest } from '../kernel/ports';
import { timelineEntry, type Actor, type TimelineEntry } from '../kernel/timeline';

// ---------------------------------------------------------------------------------------------------
// Types

export const INVOICE_TYPES = ['invoice', 'credit_note', 'proforma'] as const;
export type InvoiceType = (typeof INVOICE_TYPES)[number];
export const INVOICE_STATUSES = ['draft', 'issued', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
export type SourceType = 'deal' | 'quote' | 'company' | 'contact' | 'invoice';

/** Each type has its own number series (a proforma never consumes an invoice number). */
export const SERIES_OF_TYPE: Readonly<Record<InvoiceType, string>> = Object.freeze({
  invoice: 'invoice',
  credit_note: 'credit_note',
  proforma: 'proforma',
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
}

/** A line as a caller gives it: with a productId, description, unitPrice, taxRate and unit may be omitted. */
export type LineDraft = Omit<LineInput, 'description' | 'unitPrice' | 'taxRate'> & {
  description?: string;
  unitPrice?: string;
  taxRate?: string;
};

export type InvoiceSeriesFormats = Record<InvoiceType, string>;

/** The tenant's invoice pipeline and number formats, as stored. */
export interface PipelineSettings {
  tenantId: string;
  kind: EntityKind;
  stages: Stage[];
  /** Number format per series (invoices only). */
  numbering?: Partial<InvoiceSeriesFormats>;
  /** 0 while the tenant has never saved its own (the defaults apply). */
  version: number;
  updatedAt?: string;
  updatedBy?: string;
}

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
}

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
  | { outcome: 'contention'; counter?: NumberCounter | null };

// ---------------------------------------------------------------------------------------------------
// Ports

export interface InvoiceStore {
  get(tenantId: string, id: string): Promise<Invoice | null>;
  /** Writes everything in one transaction, or nothing. */
  commit(commit: InvoiceCommit): Promise<CommitResult>;
  getCounter(tenantId: string, series: string, period: string): Promise<NumberCounter | null>;
  /** Runs one step of a list plan (see invoice-list.ts). */
  queryStep(tenantId: string, step: ListStep, options: { count: number; cursor: string | null }): Promise<StepRow<Invoice>[]>;
  /** True when at least one invoice is in the stage. */
  anyInStage(tenantId: string, stage: string): Promise<boolean>;
  timeline(tenantId: string, invoiceId: string, page: PageRequest): Promise<Page<TimelineEntry>>;
}

export interface PipelineStore {
  get(tenantId: string, kind: EntityKind): Promise<PipelineSettings | null>;
  /** Saves when the stored version is `expectedVersion` (0: none stored yet); throws Conflict otherwise. */
  save(settings: PipelineSettings, expectedVersion: number): Promise<PipelineSettings>;
}

export interface ProductRecord {
  id: string;
  name: string;
  unitPrice: string;
  currency: string;
  taxRate: string;
  unit?: string;
}

export interface ProductCatalog {
  getProduct(tenantId: string, id: string): Promise<ProductRecord | null>;
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
}

export interface InvoicePorts {
  invoices: InvoiceStore;
  pipelines: PipelineStore;
  clients: ClientDirectory;
  products: ProductCatalog;
  /** Absent until deals/quotes exist: `from.dealId` / `from.quoteId` are then refused with 422. */
  sources?: InvoiceSourceReader;
  /** The tenant's default currency (for invoices made from a client). */
  defaultCurrency?: (tenantId: string) => Promise<string | undefined>;
  now?: () => Date;
  /** Waits between retries of a collided write; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The process's queue of issues (group commit of numbers); one is made per call when absent. */
  issueQueue?: IssueQueue;
}

export type StageMovePorts = Pick<InvoicePorts, 'invoices' | 'pipelines' | 'now' | 'sleep' | 'random' | 'issueQueue'>;

const nowOf = (ports: Pick<InvoicePorts, 'now'>) => (ports.now ?? (() => new Date()))();
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------------
// Pipeline and numbering settings

export interface EffectiveInvoicePipeline {
  pipeline: Pipeline;
  numbering: InvoiceSeriesFormats;
  version: number;
  updatedAt: string | null;
}

export function defaultNumbering(): InvoiceSeriesFormats {
  return {
    invoice: defaultNumberFormat('invoice'),
    credit_note: defaultNumberFormat('credit_note'),
    proforma: defaultNumberFormat('proforma'),
  };
}

/** The tenant's pipeline and formats, defaults filled in. */
export function effectiveInvoicePipeline(stored: PipelineSettings | null): EffectiveInvoicePipeline {
  if (!stored) {
    return {
      pipeline: structuredClone(DEFAULT_INVOICE_PIPELINE) as Pipeline,
      numbering: defaultNumbering(),
      version: 0,
      updatedAt: null,
    };
  }
  return {
    pipeline: { stages: stored.stages },
    numbering: { ...defaultNumbering(), ...(stored.numbering ?? {}) },
    version: stored.version,
    updatedAt: stored.updatedAt ?? null,
  };
}

/** The tenant's invoice pipeline and number formats (defaults when never saved): for automation and reports. */
export async function getInvoicePipeline(ports: Pick<InvoicePorts, 'pipelines'>, tenantId: string): Promise<EffectiveInvoicePipeline> {
  return effectiveInvoicePipeline(await ports.pipelines.get(tenantId, 'invoice'));
}

/** Problems of a numbering setting, with field paths ('numbering.invoice'). */
export function numberingProblems(numbering: unknown): FieldError[] {
  if (numbering === undefined) return [];
  if (numbering === null || typeof numbering !== 'object' || Array.isArray(numbering)) {
    return [{ field: 'numbering', message: 'numbering must be an object of formats per series' }];
  }
  const errors: FieldError[] = [];
  for (const [series, format] of Object.entries(numbering)) {
    if (!(INVOICE_TYPES as readonly string[]).includes(series)) {
      errors.push({ field: `numbering.${series}`, message: `unknown series; use ${INVOICE_TYPES.join(', ')}` });
      continue;
    }
    const problem = typeof format === 'string' ? validateNumberFormat(format) : 'the format must be a string';
    if (problem) errors.push({ field: `numbering.${series}`, message: problem });
  }
  return errors;
}

/**
 * Saves a tenant's invoice pipeline (and, optionally, its number formats). Refused (422, every problem at
 * once) when invalid, when it would drop a stage that invoices are still in, or change the kind of such a
 * stage (their status would no longer match it): move those invoices first.
 */
export async function updateInvoicePipeline(
  ports: Pick<InvoicePorts, 'invoices' | 'pipelines' | 'now'>,
  cmd: { tenantId: string; actor: Actor; stages: unknown; numbering?: unknown; expectedVersion?: number },
): Promise<EffectiveInvoicePipeline> {
  const structural = [...validatePipeline({ stages: cmd.stages }, 'invoice'), ...numberingProblems(cmd.numbering)];
  if (structural.length > 0) throw new RuleViolation('the pipeline is not valid', structural);
  const stages = cmd.stages as Stage[];

  const stored = await ports.pipelines.get(cmd.tenantId, 'invoice');
  const current = effectiveInvoicePipeline(stored);
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) {
    throw staleVersion(cmd.expectedVersion, current.version);
  }
  const errors: FieldError[] = [];
  for (const old of current.pipeline.stages) {
    const next = stages.find((s) => s.id === old.id);
    if (next && next.kind === old.kind) continue;
    if (await ports.invoices.anyInStage(cmd.tenantId, old.id)) {
      errors.push({
        field: 'stages',
        message: next
          ? `stage "${old.id}" has invoices in it: its kind cannot change from ${old.kind} to ${next.kind}`
          : `stage "${old.id}" has invoices in it: move them to another stage before removing it`,
      });
    }
  }
  if (errors.length > 0) throw new RuleViolation('the pipeline would orphan existing invoices', errors);

  const numbering = (cmd.numbering ?? stored?.numbering) as Partial<InvoiceSeriesFormats> | undefined;
  const saved = await ports.pipelines.save(
    {
      tenantId: cmd.tenantId,
      kind: 'invoice',
      stages: stages.map((s) => ({ id: s.id, name: s.name.trim(), kind: s.kind, requiredFields: [...s.requiredFields] })),
      ...(numbering ? { numbering } : {}),
      version: current.version + 1,
      updatedAt: nowOf(ports).toISOString(),
      updatedBy: cmd.actor.id,
    },
    current.version,
  );
  return effectiveInvoicePipeline(saved);
}

// ---------------------------------------------------------------------------------------------------
// Building an invoice

/**
 * Lines as given, completed from their products: with a productId, an omitted description, unitPrice,
 * taxRate or unit is the product's (given fields win). A product priced in another currency needs an
 * explicit unitPrice. Every problem is reported at once, with its path.
 */
export function resolveLines(
  drafts: LineDraft[],
  currency: string,
  products: ReadonlyMap<string, ProductRecord | null>,
): { lines: LineInput[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const lines = drafts.map((draft, i) => {
    const at = `lines[${i}]`;
    let { description, unitPrice, taxRate, unit } = draft;
    if (draft.productId) {
      const product = products.get(draft.productId);
      if (!product) {
        errors.push({ field: `${at}.productId`, message: 'no such product' });
      } else {
        description ??= product.name;
        taxRate ??= product.taxRate;
        unit ??= product.unit;
        if (unitPrice === undefined) {
          if (product.currency === currency) unitPrice = product.unitPrice;
          else errors.push({ field: `${at}.unitPrice`, message: `the product is priced in ${product.currency}; give a unitPrice in ${currency}` });
        }
      }
    } else {
      if (description === undefined) errors.push({ field: `${at}.description`, message: 'required without a productId' });
      if (unitPrice === undefined) errors.push({ field: `${at}.unitPrice`, message: 'required without a productId' });
      if (taxRate === undefined) errors.push({ field: `${at}.taxRate`, message: 'required without a productId' });
    }
    return withoutEmpty({
      productId: draft.productId,
      description: description ?? '',
      quantity: draft.quantity,
      unitPrice: unitPrice ?? '0',
      taxRate: taxRate ?? '0',
      discountPercent: draft.discountPercent,
      withholdingRate: draft.withholdingRate,
      unit,
    }) as LineInput;
  });
  return { lines, errors };
}

/** Amounts an invoice may hold: below 1e15 in any currency (exact everywhere, indexable). */
const MAX_AMOUNT = dec('1e15');

/** Lines with net amounts and the totals (EN 16931 rounding), or a 422 listing every problem. */
export function priceLines(lines: LineInput[], currency: string): { lines: ComputedLine[]; totals: InvoiceTotals } {
  let computed;
  try {
    computed = computeInvoice(lines, currency);
  } catch (error) {
    if (error instanceof InvoiceTotalsError) throw new RuleViolation('the lines cannot be priced', error.errors);
    throw error;
  }
  const errors: FieldError[] = [];
  computed.lines.forEach((line, i) => {
    if (dec(line.netAmount).abs().gte(MAX_AMOUNT)) errors.push({ field: `lines[${i}]`, message: 'the line amount must be below 1e15' });
  });
  for (const key of ['net', 'tax', 'total'] as const) {
    if (dec(computed.totals[key]).abs().gte(MAX_AMOUNT)) errors.push({ field: `totals.${key}`, message: 'amounts must be below 1e15' });
  }
  if (errors.length > 0) throw new RuleViolation('the amounts are too large', errors);
  return computed;
}

async function loadProducts(ports: Pick<InvoicePorts, 'products'>, tenantId: string, drafts: LineDraft[]) {
  const ids = [...new Set(drafts.map((d) => d.productId).filter((id): id is string => !!id))];
  const found = await Promise.all(ids.map((id) => ports.products.getProduct(tenantId, id)));
  return new Map(ids.map((id, i) => [id, found[i]]));
}

async function loadClient(
  ports: Pick<InvoicePorts, 'clients'>,
  tenantId: string,
  ref: { companyId?: string; contactId?: string },
  fieldPrefix = '',
): Promise<{ snapshot: ClientSnapshot; responsibleUserId?: string }> {
  if (ref.companyId) {
    const company = await ports.clients.company(tenantId, ref.companyId);
    if (!company) throw new RuleViolation('the invoice names a company that does not exist', [{ field: `${fieldPrefix}companyId`, message: 'no such company' }]);
    return { snapshot: clientSnapshot(company, null)!, responsibleUserId: company.responsibleUserId };
  }
  if (ref.contactId) {
    const contact = await ports.clients.contact(tenantId, ref.contactId);
    if (!contact) throw new RuleViolation('the invoice names a contact that does not exist', [{ field: `${fieldPrefix}contactId`, message: 'no such contact' }]);
    return { snapshot: clientSnapshot(null, contact)!, responsibleUserId: contact.responsibleUserId };
  }
  throw new Error('loadClient needs a companyId or a contactId');
}

export interface CreateInvoiceInput {
  type?: InvoiceType;
  companyId?: string;
  contactId?: string;
  dealId?: string;
  currency?: string;
  lines?: LineDraft[];
  dueDate?: string;
  notes?: string;
  responsibleUserId?: string;
  from?: { companyId?: string; contactId?: string; dealId?: string; quoteId?: string };
}

/** A new draft in the pipeline's first stage, with its totals. Pure. */
export function newInvoice(input: {
  tenantId: string;
  actor: Actor;
  stage: string;
  type: InvoiceType;
  client: ClientSnapshot | null;
  lines: LineInput[];
  currency: string;
  dueDate?: string;
  notes?: string;
  dealId?: string;
  quoteId?: string;
  source?: Invoice['source'];
  responsibleUserId: string;
  now: Date;
}): Invoice {
  const priced = priceLines(input.lines, input.currency);
  const at = input.now.toISOString();
  return withoutEmpty({
    tenantId: input.tenantId,
    id: newId('invoice'),
    number: null,
    series: SERIES_OF_TYPE[input.type],
    type: input.type,
    stage: input.stage,
    status: 'draft' as const,
    client: input.client,
    lines: priced.lines,
    totals: priced.totals,
    currency: input.currency,
    issueDate: null,
    dueDate: input.dueDate ?? null,
    notes: input.notes,
    dealId: input.dealId,
    quoteId: input.quoteId,
    source: input.source,
    responsibleUserId: input.responsibleUserId,
    createdBy: input.actor.id,
    version: 1,
    createdAt: at,
    updatedAt: at,
  }) as Invoice;
}

// keep null-valued fields that the invoice always shows
function withNulls(invoice: Invoice): Invoice {
  return { ...invoice, number: invoice.number ?? null, client: invoice.client ?? null, issueDate: invoice.issueDate ?? null, dueDate: invoice.dueDate ?? null };
}

/**
 * Creates a draft: from scratch (`companyId` | `contactId`, lines...), or `{ from: { companyId | contactId } }`
 * (the client's details only), or `{ from: { dealId | quoteId } }` through the InvoiceSourceReader port.
 * The invoice, its 'created' timeline entry and the `invoice.created` event are written in one transaction.
 */
export async function createInvoice(ports: InvoicePorts, cmd: { tenantId: string; actor: Actor; input: CreateInvoiceInput }): Promise<Invoice> {
  const { tenantId, actor, input } = cmd;
  const now = nowOf(ports);
  let client: ClientSnapshot | null = null;
  let clientResponsible: string | undefined;
  let drafts: LineDraft[] = input.lines ?? [];
  let currency = input.currency;
  let type = input.type ?? 'invoice';
  let dealId = input.dealId;
  let quoteId: string | undefined;
  let dueDate = input.dueDate;
  let notes = input.notes;
  let responsibleUserId = input.responsibleUserId;
  let source: Invoice['source'];

  const from = input.from;
  if (from?.companyId || from?.contactId) {
    ({ snapshot: client, responsibleUserId: clientResponsible } = await loadClient(ports, tenantId, from, 'from.'));
    source = from.companyId ? { type: 'company', id: from.companyId } : { type: 'contact', id: from.contactId! };
  } else if (from?.dealId || from?.quoteId) {
    const ref: SourceRef = from.dealId ? { dealId: from.dealId } : { quoteId: from.quoteId! };
    const field = from.dealId ? 'from.dealId' : 'from.quoteId';
    if (!ports.sources) throw new RuleViolation(`invoices from a ${from.dealId ? 'deal' : 'quote'} are not supported yet`, [{ field, message: 'not supported yet' }]);
    const loaded = await ports.sources.loadSource(tenantId, ref);
    if (!loaded) throw new RuleViolation(`the ${from.dealId ? 'deal' : 'quote'} does not exist`, [{ field, message: `no such ${from.dealId ? 'deal' : 'quote'}` }]);
    if (loaded.client !== undefined) client = loaded.client;
    else if (loaded.clientRef) ({ snapshot: client, responsibleUserId: clientResponsible } = await loadClient(ports, tenantId, loaded.clientRef));
    drafts = loaded.lines;
    currency ??= loaded.currency;
    type = input.type ?? loaded.type ?? 'invoice';
    dealId = loaded.dealId ?? (from.dealId || undefined);
    quoteId = loaded.quoteId ?? (from.quoteId || undefined);
    dueDate ??= loaded.dueDate;
    notes ??= loaded.notes;
    responsibleUserId ??= loaded.responsibleUserId;
    source = from.dealId ? { type: 'deal', id: from.dealId } : { type: 'quote', id: from.quoteId! };
  } else if (input.companyId || input.contactId) {
    ({ snapshot: client, responsibleUserId: clientResponsible } = await loadClient(ports, tenantId, input));
  }
  currency ??= (await ports.defaultCurrency?.(tenantId)) ?? 'EUR';

  const { lines, errors } = resolveLines(drafts, currency, await loadProducts(ports, tenantId, drafts));
  if (errors.length > 0) throw new RuleViolation('some lines cannot be used', errors);

  const settings = effectiveInvoicePipeline(await ports.pipelines.get(tenantId, 'invoice'));
  const invoice = newInvoice({
    tenantId,
    actor,
    stage: initialStage(settings.pipeline).id,
    type,
    client,
    lines,
    currency,
    dueDate,
    notes,
    dealId,
    quoteId,
    source,
    responsibleUserId: responsibleUserId ?? clientResponsible ?? actor.id,
    now,
  });
  const { outcome } = await ports.invoices.commit({ changes: [{
    before: null,
    after: invoice,
    timeline: [timelineEntry({ tenantId, subjectType: 'invoice', subjectId: invoice.id, kind: 'created', actor, at: now, data: { stage: invoice.stage, type, ...(source ? { source } : {}) } })],
    events: [outboxEvent('invoiceCreated', tenantId, {
      invoiceId: invoice.id,
      type,
      stage: invoice.stage,
      sourceType: source?.type,
      sourceId: source?.id,
      version: invoice.version,
    }, now)],
  }] });
  if (outcome !== 'ok') throw new Conflict('the invoice could not be created; retry');
  return withNulls(invoice);
}

// ---------------------------------------------------------------------------------------------------
// Editing

export interface InvoicePatch {
  type?: InvoiceType;
  companyId?: string;
  contactId?: string;
  dealId?: string | null;
  currency?: string;
  lines?: LineDraft[];
  dueDate?: string | null;
  notes?: string | null;
  responsibleUserId?: string;
}

/** Fields that stay editable once an invoice is issued: CRM data and the payment term, not the legal content. */
const EDITABLE_WHEN_ISSUED: ReadonlySet<keyof InvoicePatch> = new Set(['dueDate', 'dealId', 'responsibleUserId']);
const EDITABLE_WHEN_CLOSED: ReadonlySet<keyof InvoicePatch> = new Set(['dealId', 'responsibleUserId']);

/**
 * The fields of `patch` that the invoice's status forbids changing (empty: the edit may go ahead).
 * Drafts: everything. Issued: dueDate, dealId, responsibleUserId (client, lines, amounts, currency, type and
 * notes are the legal content: frozen). Paid or void: dealId and responsibleUserId only.
 */
export function frozenFields(invoice: Pick<Invoice, 'status'>, patch: InvoicePatch): FieldError[] {
  if (invoice.status === 'draft') return [];
  const allowed = invoice.status === 'issued' ? EDITABLE_WHEN_ISSUED : EDITABLE_WHEN_CLOSED;
  return (Object.keys(patch) as (keyof InvoicePatch)[])
    .filter((key) => patch[key] !== undefined && !allowed.has(key))
    .map((key) => ({ field: key, message: `cannot change once the invoice is ${invoice.status}` }));
}

function refuseFrozen(invoice: Invoice, patch: InvoicePatch): void {
  const frozen = frozenFields(invoice, patch);
  if (frozen.length === 0) return;
  const message = invoice.status === 'issued'
    ? `issued invoices cannot be edited; issue a credit note to correct invoice ${invoice.number}`
    : `a ${invoice.status} invoice cannot be edited`;
  throw new Conflict(message, frozen, { status: invoice.status });
}

/**
 * PATCH: applies the changes the status allows (409 listing the frozen fields otherwise), re-snapshots the
 * client when companyId/contactId is given, re-prices when lines or currency change. Optimistic: 409 when
 * `expectedVersion` (or, without it, the version read) is no longer current.
 */
export async function updateInvoice(
  ports: InvoicePorts,
  cmd: { tenantId: string; invoiceId: string; actor: Actor; patch: InvoicePatch; expectedVersion?: number },
): Promise<Invoice> {
  const { tenantId, invoiceId, actor, patch } = cmd;
  const current = await ports.invoices.get(tenantId, invoiceId);
  if (!current) throw new NotFound('invoice');
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) throw staleVersion(cmd.expectedVersion, current.version);
  refuseFrozen(current, patch);

  const now = nowOf(ports);
  const next: Invoice = { ...current };
  const changed = (Object.keys(patch) as (keyof InvoicePatch)[]).filter((k) => patch[k] !== undefined);
  if (patch.companyId || patch.contactId) {
    const loaded = await loadClient(ports, tenantId, patch);
    next.client = loaded.snapshot;
  }
  if (patch.type) {
    next.type = patch.type;
    next.series = SERIES_OF_TYPE[patch.type];
  }
  if (patch.dealId !== undefined) {
    if (patch.dealId === null) delete next.dealId;
    else next.dealId = patch.dealId;
  }
  if (patch.dueDate !== undefined) next.dueDate = patch.dueDate;
  if (patch.notes !== undefined) {
    if (patch.notes === null) delete next.notes;
    else next.notes = patch.notes;
  }
  if (patch.responsibleUserId) next.responsibleUserId = patch.responsibleUserId;
  if (patch.lines || patch.currency) {
    next.currency = patch.currency ?? current.currency;
    const drafts: LineDraft[] = patch.lines ?? current.lines.map(({ netAmount: _net, ...line }) => line);
    const { lines, errors } = resolveLines(drafts, next.currency, await loadProducts(ports, tenantId, drafts));
    if (errors.length > 0) throw new RuleViolation('some lines cannot be used', errors);
    const priced = priceLines(lines, next.currency);
    next.lines = priced.lines;
    next.totals = priced.totals;
  }
  next.version = current.version + 1;
  next.updatedAt = now.toISOString();

  const { outcome } = await ports.invoices.commit({ changes: [{
    before: current,
    after: next,
    timeline: [timelineEntry({ tenantId, subjectType: 'invoice', subjectId: invoiceId, kind: 'updated', actor, at: now, data: { fields: changed } })],
    events: [],
  }] });
  if (outcome !== 'ok') {
    const latest = await ports.invoices.get(tenantId, invoiceId);
    throw staleVersion(cmd.expectedVersion ?? current.version, latest?.version ?? current.version);
  }
  return withNulls(next);
}

// ---------------------------------------------------------------------------------------------------
// Stage moves

const STATUS_RANK: Record<InvoiceStatus, number> = { draft: 0, issued: 1, paid: 2, void: 2 };

export interface StageMovePlan {
  from: string;
  to: string;
  statusFrom: InvoiceStatus;
  statusTo: InvoiceStatus;
  /** The move issues the invoice: it takes a number and an issue date. */
  issues: boolean;
  issueDate?: string;
}

/** What an invoice needs to be issued at all, whatever the pipeline says. */
function issueProblems(invoice: Invoice): FieldError[] {
  const errors: FieldError[] = [];
  if (!invoice.client) errors.push({ field: 'client', message: 'a client is required to issue an invoice' });
  if (invoice.lines.length === 0) errors.push({ field: 'lines', message: 'at least one line is required' });
  const total = dec(invoice.totals.total);
  if (invoice.type === 'credit_note' && total.gt(0)) {
    errors.push({ field: 'totals.total', message: 'a credit note\'s total must be zero or negative (use negative quantities)' });
  } else if (invoice.type !== 'credit_note' && total.lt(0)) {
    errors.push({ field: 'totals.total', message: `the total is negative: issue a credit note instead of ${invoice.type === 'proforma' ? 'a proforma' : 'an invoice'}` });
  }
  return errors;
}

/**
 * Whether and how `invoice` may move to stage `to`: 422 for an unknown stage or, listing every one at once,
 * the fields the stage requires (plus, when the move issues the invoice, a client, a line and a total of the
 * right sign); 409 when the invoice is already there or in a final stage. Pure.
 */
export function planStageMove(
  invoice: Invoice,
  pipeline: Pipeline,
  to: string,
  options: { today: string; issueDate?: string },
): StageMovePlan {
  const target = findStage(pipeline, to);
  if (!target) {
    throw new RuleViolation(`stage "${to}" is not in the invoice pipeline`, [
      { field: 'stage', message: `unknown stage; use one of ${pipeline.stages.map((s) => s.id).join(', ')}` },
    ]);
  }
  const refusal = findStage(pipeline, invoice.stage) ? canMove(pipeline, invoice.stage, to) : null;
  if (refusal) throw new Conflict(`the invoice cannot move: ${refusal}`, [{ field: 'stage', message: refusal }], { stage: invoice.stage });
  if (invoice.status === 'paid' || invoice.status === 'void') {
    throw new Conflict(`a ${invoice.status} invoice cannot move`, [{ field: 'stage', message: `the invoice is ${invoice.status}` }], { stage: invoice.stage });
  }

  const issues = invoice.status === 'draft' && target.kind !== 'failure';
  const statusTo: InvoiceStatus = target.kind === 'failure' ? 'void' : target.kind === 'success' ? 'paid' : invoice.status === 'draft' ? 'issued' : invoice.status;
  if (STATUS_RANK[statusTo] < STATUS_RANK[invoice.status]) throw new Error(`status would go back from ${invoice.status} to ${statusTo}`);

  const errors: FieldError[] = [];
  if (options.issueDate !== undefined && !issues) {
    errors.push({ field: 'issueDate', message: 'only a move that issues the invoice takes an issue date' });
  }
  if (issues && options.issueDate !== undefined && options.issueDate > options.today) {
    errors.push({ field: 'issueDate', message: `the issue date cannot be in the future (today is ${options.today}, UTC)` });
  }
  const seen = new Set<string>();
  for (const error of [...missingFields(invoice, target, 'invoice'), ...(issues ? issueProblems(invoice) : [])]) {
    if (seen.has(error.field)) continue;
    seen.add(error.field);
    errors.push(error);
  }
  if (errors.length > 0) {
    throw new RuleViolation(`the invoice cannot move to ${to}: ${errors.map((e) => e.field).join(', ')}`, errors, { stage: invoice.stage });
  }
  return {
    from: invoice.stage,
    to,
    statusFrom: invoice.status,
    statusTo,
    issues,
    ...(issues ? { issueDate: options.issueDate ?? options.today } : {}),
  };
}

/** The invoice after the move (number given when the move issues it). Pure. */
export function applyStageMove(invoice: Invoice, plan: StageMovePlan, now: Date, numbering?: { number: string; sequence: number }): Invoice {
  const next: Invoice = { ...invoice, stage: plan.to, status: plan.statusTo, version: invoice.version + 1, updatedAt: now.toISOString() };
  if (plan.issues) {
    if (!numbering) throw new Error('issuing needs a number');
    next.number = numbering.number;
    next.sequence = numbering.sequence;
    next.issueDate = plan.issueDate!;
  }
  return next;
}

/** Re-plans of one move whose invoice changed meanwhile (without an expected version), and retries of a collided write. */
export const MOVE_MAX_ATTEMPTS = 20;

export interface MoveStageCommand {
  tenantId: string;
  invoiceId: string;
  to: string;
  actor: Actor;
  /** 409 unless the invoice is at this version. Without it, a concurrent change makes the move re-read and re-check. */
  expectedVersion?: number;
  /** When the move issues the invoice: its issue date (default today, UTC); not in the future, not before the series' last. */
  issueDate?: string;
}

/**
 * Moves an invoice to another stage: the use case behind POST /v1/invoices/{id}/stage, and the one to call
 * from automation (e.g. "move to VIEWED when the client opens the link": actor { type: 'automation', id }).
 *
 * One transaction writes the invoice (conditioned on its version), the number counter when the move issues
 * it (conditioned on the value read: the counter moves only with the invoices it numbers, so numbers have no
 * gaps and no duplicates; see invoice-issuing.ts for retries and group commit), a timeline entry and the
 * `invoice.stage_changed` event (plus `invoice.paid` when it becomes paid).
 */
export async function moveInvoiceStage(ports: StageMovePorts, cmd: MoveStageCommand): Promise<Invoice> {
  const { tenantId, invoiceId, to, actor } = cmd;
  const sleep = ports.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = ports.random ?? Math.random;
  const queue = ports.issueQueue ?? createIssueQueue({ sleep, random });
  let attempts = 0;
  const pause = async () => {
    if (++attempts >= MOVE_MAX_ATTEMPTS) throw busy(invoiceId);
    await sleep(jitteredBackoff(attempts, random));
  };

  for (;;) {
    // plan the move on the invoice as it is now
    const current = await ports.invoices.get(tenantId, invoiceId);
    if (!current) throw new NotFound('invoice');
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) throw staleVersion(cmd.expectedVersion, current.version);
    const settings = effectiveInvoicePipeline(await ports.pipelines.get(tenantId, 'invoice'));
    const now = nowOf(ports);
    const plan = planStageMove(current, settings.pipeline, to, { today: isoDay(now), issueDate: cmd.issueDate });

    const build = (numbering?: { number: string; sequence: number }): InvoiceChange => {
      const after = applyStageMove(current, plan, now, numbering);
      const events = [outboxEvent('invoiceStageChanged', tenantId, { invoiceId, from: plan.from, to: plan.to, version: after.version, actorId: actor.id, actorType: actor.type }, now)];
      if (plan.statusTo === 'paid') {
        events.push(outboxEvent('invoicePaid', tenantId, { invoiceId, total: after.totals.total, currency: after.currency }, now));
      }
      const timeline = [timelineEntry({
        tenantId,
        subjectType: 'invoice',
        subjectId: invoiceId,
        kind: 'stage_changed',
        actor,
        at: now,
        data: {
          from: plan.from,
          to: plan.to,
          ...(plan.statusTo !== plan.statusFrom ? { statusFrom: plan.statusFrom, statusTo: plan.statusTo } : {}),
          ...(numbering ? { number: numbering.number, issueDate: plan.issueDate } : {}),
        },
      })];
      return { before: current, after, timeline, events };
    };

    let outcome: 'ok' | 'stale' | 'busy' | 'contention';
    let moved: Invoice | undefined;
    if (plan.issues) {
      const issued = await queue.issue(ports.invoices, {
        tenantId,
        series: current.series,
        format: settings.numbering[current.type] ?? defaultNumberFormat(current.series),
        issueDate: plan.issueDate!,
        sizeHint: JSON.stringify(current).length * 2,
        build: (numbering) => build(numbering),
      });
      outcome = issued.outcome;
      if (issued.outcome === 'ok') moved = issued.invoice;
    } else {
      const change = build();
      outcome = (await ports.invoices.commit({ changes: [change] })).outcome;
      moved = change.after;
    }
    if (outcome === 'ok') return withNulls(moved!);
    if (outcome === 'busy') throw busy(invoiceId);
    if (outcome === 'stale' && cmd.expectedVersion !== undefined) {
      const latest = await ports.invoices.get(tenantId, invoiceId);
      throw staleVersion(cmd.expectedVersion, latest?.version ?? current.version + 1);
    }
    await pause(); // the invoice changed meanwhile, or the write collided: plan again on what it is now
  }
}


// ---------------------------------------------------------------------------------------------------
// Reading

export async function getInvoice(ports: Pick<InvoicePorts, 'invoices'>, tenantId: string, invoiceId: string): Promise<Invoice> {
  const invoice = await ports.invoices.get(tenantId, invoiceId);
  if (!invoice) throw new NotFound('invoice');
  return withNulls(invoice);
}

/** A page of invoices matching the filters, in the requested order (see invoice-list.ts for the indexes). */
export async function listInvoices(
  ports: Pick<InvoicePorts, 'invoices' | 'now'>,
  tenantId: string,
  filters: InvoiceListFilters,
  page: PageRequest,
): Promise<Page<Invoice>> {
  if (filters.issueDateFrom && filters.issueDateTo && filters.issueDateFrom > filters.issueDateTo) {
    throw new InvalidInput('issueDateFrom is after issueDateTo', [{ field: 'query.issueDateFrom', message: 'must not be after issueDateTo' }]);
  }
  const plan = planInvoiceList(filters, isoDay(nowOf(ports)));
  try {
    const result = await runListPlan(plan, page, (step, options) => ports.invoices.queryStep(tenantId, step, options));
    return { data: result.data.map(withNulls), nextCursor: result.nextCursor };
  } catch (error) {
    if (error instanceof InvalidListCursor) {
      throw new InvalidInput('the cursor is not valid for this query', [{ field: 'cursor', message: 'invalid' }]);
    }
    throw error;
  }
}

export async function invoiceTimeline(ports: Pick<InvoicePorts, 'invoices'>, tenantId: string, invoiceId: string, page: PageRequest) {
  await getInvoice(ports, tenantId, invoiceId);
  return ports.invoices.timeline(tenantId, invoiceId, page);
}

/** What the API shows of an invoice: no tenant, no internal sequence or keys; absent values as null. */
export function invoiceView(invoice: Invoice) {
  const { tenantId: _tenant, sequence: _sequence, ...rest } = withNulls(invoice);
  return rest;
}

/** The index keys of an invoice (re-exported for adapters). */
export { invoiceKeys };

/** What automation needs to know of an invoice to deliver it. */
export function invoiceSubject(invoice: Invoice): DeliverySubject {
  return {
    type: 'invoice',
    tenantId: invoice.tenantId,
    id: invoice.id,
    number: invoice.number,
    stage: invoice.stage,
    currency: invoice.currency,
    total: invoice.totals.total,
    dueDate: invoice.dueDate,
    client: { name: invoice.client?.legalName ?? invoice.client?.name ?? '', email: invoice.client?.email, phone: invoice.client?.phone },
    responsibleUserId: invoice.responsibleUserId,
  };
}
