/**
 * Quotes (estimates, proposals): made from a deal or for a client, priced like invoices, numbered
 * from their own series when first sent, valid until a date, then accepted or declined by the client.
 *
 * Stored statuses: draft -> sent -> accepted | declined. "expired" is never stored: a draft or sent
 * quote whose validUntil is before today reads as expired and can no longer be sent or accepted.
 */
import { randomBytes } from 'node:crypto';
import { quoteSent } from '../../../events/quote-sent';
import { clientSnapshot, newRecord, type ClientDirectory, type ClientSnapshot } from '../clients/client';
import {
  addDays,
  lineInputs,
  pendingEvent,
  priceLines,
  resolveClient,
  today,
  type InvoiceSource,
  type PendingEvent,
} from './pipeline-settings';
import type { DealStore } from './deal';
import type { DeliverySubject } from '../delivery/run';
import { Conflict, NotFound, RuleViolation, staleVersion, type FieldError } from '../kernel/errors';
import { nowIso } from '../kernel/ids';
import type { ComputedLine, InvoiceTotals, LineInput } from '../kernel/pricing';
import { DEFAULT_QUOTE_FORMAT, counterPeriod, formatNumber, validateNumberFormat } from '../kernel/numbering';
import type { Owned, Page, PageRequest } from '../kernel/ports';
import { timelineEntry, type Actor, type TimelineEntry } from '../kernel/timeline';

export const QUOTE_SERIES = 'quote';
/** How long a quote stays valid when it is sent without a validUntil. */
export const DEFAULT_QUOTE_VALIDITY_DAYS = 30;

export type StoredQuoteStatus = 'draft' | 'sent' | 'accepted' | 'declined';
export type QuoteStatus = StoredQuoteStatus | 'expired';

export interface Quote extends Owned {
  /** Assigned when the quote is first sent; absent on drafts. */
  number?: string;
  series: typeof QUOTE_SERIES;
  status: StoredQuoteStatus;
  client: ClientSnapshot;
  /** '' when none (indexed attributes stay present). */
  companyId: string;
  contactId: string;
  dealId: string;
  /** The client's id (company or contact), for listing a client's quotes. */
  clientId: string;
  lines: ComputedLine[];
  totals: InvoiceTotals;
  currency: string;
  validUntil?: string;
  notes?: string;
  responsibleUserId?: string;
  /** The date of the first send (the number's date). */
  issueDate?: string;
  sentAt?: string;
  sendCount?: number;
  /** The credential of the public quote page (192 bits, base64url); set when first sent. */
  publicToken?: string;
  declinedAt?: string;
  acceptedAt?: string;
  /** The client's acceptance on the public page: who signed, when, from where, and what was shown. */
  acceptance?: QuoteAcceptance;
  /** The invoice made from this quote (the first one; see quote-acceptance.ts for duplicates). */
  invoiceId?: string;
}

/** The evidence recorded when a client accepts a quote on its public page. */
export interface QuoteAcceptance {
  signerName: string;
  /** 'drawn': a signature image was drawn on the page; 'typed': the typed name is the signature. */
  method: 'drawn' | 'typed';
  /** The drawn signature's PNG in the bucket, and its SHA-256 (hex); null for a typed signature. */
  signatureKey: string | null;
  signatureSha256: string | null;
  signedAt: string;
  ip: string | null;
  userAgent: string | null;
  /** The quote document (PDF) the page offered when the client accepted, and its SHA-256; null when none was ready. */
  documentId: string | null;
  documentSha256: string | null;
}

export interface QuoteInput {
  companyId?: string;
  contactId?: string;
  dealId?: string;
  lines?: LineInput[];
  currency?: string;
  validUntil?: string;
  notes?: string;
  responsibleUserId?: string;
}

export interface QuoteChanges {
  companyId?: string | null;
  contactId?: string | null;
  dealId?: string | null;
  lines?: LineInput[];
  currency?: string;
  validUntil?: string | null;
  notes?: string | null;
  responsibleUserId?: string | null;
}

export interface QuoteFilter {
  dealId?: string;
  /** A company's or contact's id. */
  clientId?: string;
}

export interface QuoteStore {
  create(quote: Quote): Promise<Quote>;
  get(tenantId: string, id: string): Promise<Quote | null>;
  list(tenantId: string, filter: QuoteFilter, page: PageRequest): Promise<Page<Quote>>;
  update(tenantId: string, id: string, changes: Record<string, unknown>, expectedVersion: number): Promise<Quote>;
  remove(tenantId: string, id: string, expectedVersion?: number): Promise<void>;
}

/** The counter of a numbering series in a period, and the one transaction that sends a quote. */
export interface QuoteNumbering {
  /** The last number taken in (tenant, series, period); 0 when none yet. */
  current(tenantId: string, series: string, period: string): Promise<number>;
  /**
   * One transaction: the counter moves from `counter.expected` to `counter.next` (when numbering),
   * the quote gets `changes` if still at `expectedVersion`, a new `publicToken` becomes a public
   * link to the quote, the events go to the outbox.
   */
  commitSend(plan: SendPlan): Promise<SendOutcome>;
}

export interface SendPlan {
  tenantId: string;
  quoteId: string;
  expectedVersion: number;
  changes: Record<string, unknown>;
  counter?: { series: string; period: string; expected: number; next: number };
  /** The public page's token, on the first send. */
  publicToken?: string;
  /** The date the number is taken on (first send). */
  issueDate?: string;
  events: PendingEvent[];
  /** The 'sent' entry of the quote's timeline (written in the same transaction). */
  timeline?: TimelineEntry[];
}

export type SendOutcome = { ok: true } | { ok: false; reason: 'quote_changed' | 'counter_moved' | 'conflict' };

export interface SendOptions {
  to?: string;
  subject?: string;
  message?: string;
}

export interface QuotePorts {
  quotes: QuoteStore;
  deals: Pick<DealStore, 'get'>;
  clients: ClientDirectory;
}

export interface SendPorts extends QuotePorts {
  numbering: QuoteNumbering;
  now?: () => Date;
  /** Base delay between attempts when the number or the quote moved concurrently (default 20 ms). */
  retryDelayMs?: number;
}

/** The tenant's quote number format (settings.numberFormats.quote when valid), else QUO-{YYYY}-{000000}. */
export function quoteNumberFormat(settings: unknown): string {
  const formats = (settings as { numberFormats?: Record<string, unknown> } | null | undefined)?.numberFormats;
  const format = formats && typeof formats === 'object' ? formats.quote : undefined;
  return typeof format === 'string' && validateNumberFormat(format) === null ? format : DEFAULT_QUOTE_FORMAT;
}

/**
 * A new public token: 24 random bytes (192 bits), base64url (32 characters): the same shape as the
 * document links' tokens, which the public route accepts (documents.ts isWellFormedToken).
 */
export function newPublicToken(): string {
  return randomBytes(24).toString('base64url');
}

export function isExpired(quote: Pick<Quote, 'status' | 'validUntil'>, day: string): boolean {
  return (quote.status === 'draft' || quote.status === 'sent') && Boolean(quote.validUntil) && quote.validUntil! < day;
}

/** The status a reader sees on `day`: draft and sent quotes past their validity read as expired. */
export function effectiveStatus(quote: Pick<Quote, 'status' | 'validUntil'>, day: string): QuoteStatus {
  return isExpired(quote, day) ? 'expired' : quote.status;
}

/** Why a client may not accept the quote on `day`, or null when it may (the public page, phase 2). */
export function acceptanceRefusal(quote: Pick<Quote, 'status' | 'validUntil'>, day: string): { status: QuoteStatus; message: string } | null {
  const status = effectiveStatus(quote, day);
  switch (status) {
    case 'sent':
      return null;
    case 'expired':
      return { status, message: `this quote expired on ${quote.validUntil}` };
    case 'accepted':
      return { status, message: 'this quote has already been accepted' };
    case 'declined':
      return { status, message: 'this quote was declined' };
    case 'draft':
      return { status, message: 'this quote has not been sent' };
  }
}

function checkValidUntil(validUntil: string | null | undefined, day: string): void {
  if (validUntil && validUntil < day) {
    throw new RuleViolation('a quote cannot be valid only until a past date', [{ field: 'validUntil', message: `must be ${day} or later` }]);
  }
}

export async function getQuote(ports: { quotes: Pick<QuoteStore, 'get'> }, tenantId: string, id: string): Promise<Quote> {
  const quote = await ports.quotes.get(tenantId, id);
  if (!quote) throw new NotFound('quote');
  return quote;
}

async function loadDeal(ports: QuotePorts, tenantId: string, dealId: string) {
  const deal = await ports.deals.get(tenantId, dealId);
  if (!deal) throw new RuleViolation('the quote links to a deal that does not exist', [{ field: 'dealId', message: 'no such deal' }]);
  return deal;
}

async function snapshotOf(ports: QuotePorts, tenantId: string, ids: { companyId?: string; contactId?: string }) {
  const { company, contact } = await resolveClient(ports.clients, tenantId, ids);
  const client = clientSnapshot(company, contact);
  if (!client) {
    throw new RuleViolation('a quote needs a client', [
      { field: 'companyId', message: 'give companyId or contactId, or a dealId whose deal has a client' },
    ]);
  }
  return client;
}

/**
 * A draft quote. With `dealId`, what the input leaves out comes from the deal: the client (company
 * and contact), the lines, the currency and the responsible user. Given fields win.
 */
export async function createQuote(
  ports: QuotePorts,
  tenantId: string,
  input: QuoteInput,
  defaults: { currency: string; today: string },
): Promise<Quote> {
  checkValidUntil(input.validUntil, defaults.today);
  const deal = input.dealId ? await loadDeal(ports, tenantId, input.dealId) : null;
  const ownClient = Boolean(input.companyId || input.contactId);
  const companyId = ownClient ? input.companyId : deal?.companyId || undefined;
  const contactId = ownClient ? input.contactId : deal?.contactId || undefined;
  const client = await snapshotOf(ports, tenantId, { companyId, contactId });
  const currency = input.currency ?? deal?.currency ?? defaults.currency;
  const { lines, totals } = priceLines(input.lines ?? (deal ? lineInputs(deal.lines) : []), currency);
  const responsibleUserId = input.responsibleUserId ?? deal?.responsibleUserId;
  const quote = newRecord('quote', tenantId, {
    series: QUOTE_SERIES,
    status: 'draft',
    client,
    companyId: companyId ?? '',
    contactId: contactId ?? '',
    dealId: deal?.id ?? '',
    clientId: client.id,
    lines,
    totals,
    currency,
    ...(input.validUntil ? { validUntil: input.validUntil } : {}),
    ...(input.notes ? { notes: input.notes } : {}),
    ...(responsibleUserId ? { responsibleUserId } : {}),
  }) as Quote;
  return ports.quotes.create(quote);
}

function requireDraft(quote: Quote, doing: string): void {
  if (quote.status !== 'draft') {
    throw new Conflict(`a ${quote.status} quote cannot be ${doing}; only drafts can`, [{ field: 'status', message: quote.status }]);
  }
}

/** Edits a draft. A new client is snapshotted again; new lines or currency re-price it. */
export async function updateQuote(
  ports: QuotePorts,
  tenantId: string,
  id: string,
  changes: QuoteChanges,
  context: { expectedVersion?: number; today: string },
): Promise<Quote> {
  const quote = await getQuote(ports, tenantId, id);
  if (context.expectedVersion !== undefined && context.expectedVersion !== quote.version) {
    throw staleVersion(context.expectedVersion, quote.version);
  }
  requireDraft(quote, 'edited');
  checkValidUntil(changes.validUntil, context.today);
  const set: Record<string, unknown> = {};
  for (const key of ['validUntil', 'notes', 'responsibleUserId'] as const) {
    if (key in changes) set[key] = changes[key];
  }
  if ('dealId' in changes) {
    if (changes.dealId) await loadDeal(ports, tenantId, changes.dealId);
    set.dealId = changes.dealId ?? '';
  }
  if ('companyId' in changes || 'contactId' in changes) {
    const companyId = 'companyId' in changes ? changes.companyId || undefined : quote.companyId || undefined;
    const contactId = 'contactId' in changes ? changes.contactId || undefined : quote.contactId || undefined;
    const client = await snapshotOf(ports, tenantId, { companyId, contactId });
    Object.assign(set, { client, companyId: companyId ?? '', contactId: contactId ?? '', clientId: client.id });
  }
  if (changes.lines || changes.currency) {
    const currency = changes.currency ?? quote.currency;
    Object.assign(set, { ...priceLines(changes.lines ?? lineInputs(quote.lines), currency), currency });
  }
  return ports.quotes.update(tenantId, id, set, quote.version);
}

/** Only drafts are deleted: a sent quote has a number and a client who may have it (decline it instead). */
export async function removeQuote(ports: Pick<QuotePorts, 'quotes'>, tenantId: string, id: string, expectedVersion?: number): Promise<void> {
  const quote = await getQuote(ports, tenantId, id);
  if (expectedVersion !== undefined && expectedVersion !== quote.version) throw staleVersion(expectedVersion, quote.version);
  requireDraft(quote, 'deleted');
  await ports.quotes.remove(tenantId, id, quote.version);
}

export function listQuotes(ports: Pick<QuotePorts, 'quotes'>, tenantId: string, filter: QuoteFilter, page: PageRequest): Promise<Page<Quote>> {
  return ports.quotes.list(tenantId, filter, page);
}

/** What a quote needs before it can go out, all listed at once. */
export function sendRequirements(quote: Pick<Quote, 'lines' | 'client'>): FieldError[] {
  const errors: FieldError[] = [];
  if (!quote.client) errors.push({ field: 'client', message: 'a client is required' });
  if (!quote.lines?.length) errors.push({ field: 'lines', message: 'at least one line is required' });
  return errors;
}

const MAX_SEND_ATTEMPTS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a quote. The first send takes the next number of the quote series (in the same transaction
 * that marks the quote sent: no gaps, no duplicates), dates it, sets validUntil if absent, snapshots
 * the client again, opens the public page (a new token) and emits quote.sent; a later send of a sent
 * quote keeps all that and emits quote.sent with `resend: true`. Delivering it (PDF, e-mail) is the
 * caller's next step (POST /v1/quotes/{id}/send). 409 for an expired, accepted or declined quote or a
 * stale version; 422 when it has no lines.
 */
export async function sendQuote(
  ports: SendPorts,
  input: {
    tenantId: string;
    quoteId: string;
    expectedVersion?: number;
    /** The number format of the quote series, e.g. DEFAULT_QUOTE_FORMAT. */
    format: string;
    validityDays?: number;
    options?: SendOptions;
    /** Who sends (for the timeline); default the system. */
    actor?: Actor;
  },
): Promise<Quote> {
  const { tenantId, quoteId } = input;
  for (let attempt = 0; attempt < MAX_SEND_ATTEMPTS; attempt++) {
    const quote = await getQuote(ports, tenantId, quoteId);
    if (input.expectedVersion !== undefined && input.expectedVersion !== quote.version) {
      throw staleVersion(input.expectedVersion, quote.version);
    }
    const now = ports.now?.() ?? new Date();
    const day = today(now);
    const status = effectiveStatus(quote, day);
    if (status !== 'draft' && status !== 'sent') {
      const why = status === 'expired' ? `the quote expired on ${quote.validUntil}` : `the quote is ${status}`;
      throw new Conflict(`${why}; it cannot be sent`, [{ field: 'status', message: status }], { quoteStatus: status });
    }
    const missing = sendRequirements(quote);
    if (missing.length) throw new RuleViolation('the quote is not ready to be sent', missing);

    const resend = quote.status === 'sent';
    const sentAt = nowIso();
    const changes: Record<string, unknown> = { status: 'sent', sentAt, sendCount: (quote.sendCount ?? 0) + 1 };
    let counter: SendPlan['counter'];
    let number = quote.number;
    let publicToken: string | undefined;
    if (!resend) {
      const issueDate = day;
      const period = counterPeriod(input.format, issueDate);
      const current = await ports.numbering.current(tenantId, QUOTE_SERIES, period);
      counter = { series: QUOTE_SERIES, period, expected: current, next: current + 1 };
      number = formatNumber(input.format, counter.next, issueDate, QUOTE_SERIES);
      const { company, contact } = await refreshClient(ports, quote);
      publicToken = newPublicToken();
      Object.assign(changes, {
        number,
        issueDate,
        publicToken,
        validUntil: quote.validUntil ?? addDays(issueDate, input.validityDays ?? DEFAULT_QUOTE_VALIDITY_DAYS),
        ...(company || contact ? { client: clientSnapshot(company, contact) } : {}),
      });
    }
    const version = quote.version + 1;
    const outcome = await ports.numbering.commitSend({
      tenantId,
      quoteId,
      expectedVersion: quote.version,
      changes,
      counter,
      publicToken,
      ...(counter ? { issueDate: day } : {}),
      events: [
        pendingEvent(tenantId, quoteSent.detailType, {
          quoteId,
          number: number!,
          version,
          resend,
          ...(input.options?.to ? { to: input.options.to } : {}),
        }),
      ],
      timeline: [timelineEntry({
        tenantId,
        subjectType: 'quote',
        subjectId: quoteId,
        kind: 'sent',
        actor: input.actor ?? { type: 'system', id: 'system' },
        at: sentAt,
        data: { number: number!, resend, ...(input.options?.to ? { to: input.options.to } : {}) },
      })],
    });
    if (outcome.ok) return { ...quote, ...changes, version, updatedAt: sentAt } as Quote;
    // counter_moved: another quote took the number; quote_changed: re-read (a stale If-Match fails
    // above); conflict: DynamoDB's TransactionConflict on a contended counter. All retry, jittered.
    await sleep((ports.retryDelayMs ?? 20) * (1 + Math.random()) * (attempt + 1));
  }
  throw new Conflict('the quote could not be sent because of concurrent changes; try again');
}

/** The quote's client as it stands now, to snapshot again at the first send (nulls when deleted since). */
async function refreshClient(ports: QuotePorts, quote: Quote) {
  const [company, contact] = await Promise.all([
    quote.companyId ? ports.clients.company(quote.tenantId, quote.companyId) : null,
    quote.contactId ? ports.clients.contact(quote.tenantId, quote.contactId) : null,
  ]);
  // a company client whose company is gone keeps its old snapshot rather than turning into a contact
  if (quote.client.kind === 'company' && !company) return { company: null, contact: null };
  return { company, contact };
}

/** Records that the client declined a sent quote. */
export async function declineQuote(
  ports: Pick<QuotePorts, 'quotes'>,
  tenantId: string,
  id: string,
  expectedVersion?: number,
): Promise<Quote> {
  const quote = await getQuote(ports, tenantId, id);
  if (expectedVersion !== undefined && expectedVersion !== quote.version) throw staleVersion(expectedVersion, quote.version);
  if (quote.status !== 'sent') {
    throw new Conflict(`a ${quote.status} quote cannot be declined; only sent ones can`, [{ field: 'status', message: quote.status }]);
  }
  return ports.quotes.update(tenantId, id, { status: 'declined', declinedAt: nowIso() }, quote.version);
}

/**
 * What an invoice copies from a quote: the client snapshot the quote carries, its lines, totals,
 * currency, notes, responsible user and deal. 404 for a missing or foreign quote. Which statuses an
 * invoice may come from is the invoice's rule (see `sourceStatus`).
 */
export async function loadQuoteAsInvoiceSource(
  ports: Pick<QuotePorts, 'quotes'>,
  tenantId: string,
  quoteId: string,
  day: string = today(),
): Promise<InvoiceSource & { sourceStatus: QuoteStatus; number?: string; invoiceId?: string }> {
  const quote = await getQuote(ports, tenantId, quoteId);
  return {
    sourceType: 'quote',
    sourceId: quote.id,
    sourceStatus: effectiveStatus(quote, day),
    ...(quote.number ? { number: quote.number } : {}),
    ...(quote.invoiceId ? { invoiceId: quote.invoiceId } : {}),
    client: quote.client,
    ...(quote.companyId ? { companyId: quote.companyId } : {}),
    ...(quote.contactId ? { contactId: quote.contactId } : {}),
    lines: lineInputs(quote.lines),
    totals: quote.totals,
    currency: quote.currency,
    ...(quote.responsibleUserId ? { responsibleUserId: quote.responsibleUserId } : {}),
    ...(quote.dealId ? { dealId: quote.dealId } : {}),
    quoteId: quote.id,
    ...(quote.notes ? { notes: quote.notes } : {}),
    version: quote.version,
  };
}

/**
 * Why no invoice may be made from a quote in this status (409), or null: a draft has not been sent (no
 * number, still editable) and a declined quote was refused by the client. Sent (even expired) and accepted
 * quotes may be invoiced.
 */
export function invoicingRefusal(status: QuoteStatus): string | null {
  if (status === 'draft') return 'a draft quote cannot be invoiced: send it first';
  if (status === 'declined') return 'the client declined this quote: it cannot be invoiced';
  return null;
}

/** The refusal of a second invoice from a quote that already has one: 409 naming the existing invoice. */
export function alreadyInvoiced(quoteId: string, invoiceId: string): Conflict {
  return new Conflict(
    `quote ${quoteId} already has an invoice (${invoiceId}); ask for another explicitly (allowDuplicate) if it is really wanted`,
    [{ field: 'from.quoteId', message: `already invoiced: ${invoiceId}` }],
    { invoiceId },
  );
}

/** The existing invoice's id a duplicate refusal names, if `error` is one. */
export function existingInvoiceOf(error: unknown): string | undefined {
  if (!(error instanceof Conflict)) return undefined;
  const id = error.extra.invoiceId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The text of the quote e-mail (placeholders {number}, {total}, {seller}, {link} are filled by the delivery
 * step). A sender's own message keeps the link to the quote page: it is appended when the message lacks it.
 */
export function quoteEmailBody(quote: Pick<Quote, 'client' | 'validUntil'>, message?: string): string {
  if (message) return message.includes('{link}') ? message : `${message}\n\n{link}`;
  const greeting = (quote.client.contactName ?? quote.client.name).replace(/[{}]/g, '');
  return [
    `Hello ${greeting},`,
    '',
    `please find attached quote {number} for {total}${quote.validUntil ? `, valid until ${quote.validUntil}` : ''}.`,
    '',
    'You can review it, then accept and sign it online: {link}',
    '',
    'Kind regards,',
    '{seller}',
  ].join('\n');
}

/** What the delivery steps (document, e-mail) need to know of a quote. */
export function quoteSubject(quote: Quote): DeliverySubject {
  return {
    type: 'quote',
    tenantId: quote.tenantId,
    id: quote.id,
    number: quote.number ?? null,
    stage: quote.status,
    currency: quote.currency,
    total: quote.totals.total,
    dueDate: null,
    client: {
      name: quote.client.legalName ?? quote.client.name,
      ...(quote.client.email ? { email: quote.client.email } : {}),
      ...(quote.client.phone ? { phone: quote.client.phone } : {}),
    },
    ...(quote.responsibleUserId ? { responsibleUserId: quote.responsibleUserId } : {}),
  };
}

/** The quote as the API shows it: the effective status, the public page's URL instead of its token. */
export function quoteView(quote: Quote, context: { today: string; publicBaseUrl?: string }) {
  const { tenantId: _t, publicToken, clientId: _c, ...rest } = quote;
  const out: Record<string, unknown> = { ...rest, number: quote.number ?? null, status: effectiveStatus(quote, context.today) };
  for (const [k, v] of Object.entries(out)) if (v === '') delete out[k];
  if (publicToken && context.publicBaseUrl) out.publicUrl = `${context.publicBaseUrl.replace(/\/$/, '')}/p/${publicToken}`;
  return out;
}
