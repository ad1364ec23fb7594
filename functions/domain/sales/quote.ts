/**
 * Quotes (estimates, proposals): made from a deal or for a client, priced like invoices, numbered
 * from their own series when first sent, valid until a date, then accepted or declined by the client.
 *
 * Stored statuses: draft -> sent -> accepted | declined. "expired" is never stored: a draft or sent
 * quote whose validUntil is before today reads as expired and can no longer be sent or accepted.
 */
import { Client, type ClientDirectory, type ClientSnapshot } from '../clients';
import { PublicLink } from '../documents';
import {
  addDays,
  Conflict,
  DEFAULT_QUOTE_FORMAT,
  lineInputs,
  newRecord,
  NotFound,
  nowIso,
  priceLines,
  RuleViolation,
  staleVersion,
  today,
  validateNumberFormat,
  type Command,
  type ComputedLine,
  type FieldError,
  type InvoiceTotals,
  type ItemCommand,
  type ItemQuery,
  type LineInput,
  type Owned,
  type Page,
  type PageRequest,
} from '../kernel';
import type { DealStore } from './deal';

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

export interface QuotePorts {
  quotes: QuoteStore;
  deals: Pick<DealStore, 'get'>;
  clients: ClientDirectory;
  /** The tenant's default currency (settings.defaultCurrency, else EUR): for quotes created without one. */
  defaultCurrency(tenantId: string): Promise<string>;
  now?: () => Date;
}

export type { Quote as Info };

/** The tenant's quote number format (settings.numberFormats.quote when valid), else QUO-{YYYY}-{000000}. */
export function numberFormat(settings: unknown): string {
  const formats = (settings as { numberFormats?: Record<string, unknown> } | null | undefined)?.numberFormats;
  const format = formats && typeof formats === 'object' ? formats.quote : undefined;
  return typeof format === 'string' && validateNumberFormat(format) === null ? format : DEFAULT_QUOTE_FORMAT;
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

export async function get(ports: { quotes: Pick<QuoteStore, 'get'> }, query: ItemQuery): Promise<Quote> {
  const quote = await ports.quotes.get(query.tenantId, query.id);
  if (!quote) throw new NotFound('quote');
  return quote;
}

async function loadDeal(ports: Pick<QuotePorts, 'deals'>, tenantId: string, dealId: string) {
  const deal = await ports.deals.get(tenantId, dealId);
  if (!deal) throw new RuleViolation('the quote links to a deal that does not exist', [{ field: 'dealId', message: 'no such deal' }]);
  return deal;
}

async function snapshotOf(ports: Pick<QuotePorts, 'clients'>, tenantId: string, ids: { companyId?: string; contactId?: string }) {
  const { company, contact } = await Client.resolve(ports.clients, tenantId, ids);
  const client = Client.snapshot(company, contact);
  if (!client) {
    throw new RuleViolation('a quote needs a client', [{ field: 'companyId', message: 'give companyId or contactId, or a dealId whose deal has a client' }]);
  }
  return client;
}

/**
 * A draft quote. With `dealId`, what the input leaves out comes from the deal: the client (company
 * and contact), the lines, the currency and the responsible user. Given fields win.
 */
export async function create(ports: QuotePorts, cmd: Command & { input: QuoteInput }): Promise<Quote> {
  const { tenantId, input } = cmd;
  checkValidUntil(input.validUntil, today(ports.now?.()));
  const deal = input.dealId ? await loadDeal(ports, tenantId, input.dealId) : null;
  const ownClient = Boolean(input.companyId || input.contactId);
  const companyId = ownClient ? input.companyId : deal?.companyId || undefined;
  const contactId = ownClient ? input.contactId : deal?.contactId || undefined;
  const client = await snapshotOf(ports, tenantId, { companyId, contactId });
  const currency = input.currency ?? deal?.currency ?? (await ports.defaultCurrency(tenantId));
  const { lines, totals } = priceLines(input.lines ?? (deal ? lineInputs(deal.lines) : []), currency);
  // who answers for the quote: the one named, the deal's, else the person who made it (the invoice that follows inherits it)
  const responsibleUserId = input.responsibleUserId ?? deal?.responsibleUserId ?? (cmd.actor.type === 'user' ? cmd.actor.id : undefined);
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
export async function update(ports: Omit<QuotePorts, 'defaultCurrency'>, cmd: ItemCommand & { changes: QuoteChanges }): Promise<Quote> {
  const { tenantId, id, changes } = cmd;
  const quote = await get(ports, cmd);
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== quote.version) {
    throw staleVersion(cmd.expectedVersion, quote.version);
  }
  requireDraft(quote, 'edited');
  checkValidUntil(changes.validUntil, today(ports.now?.()));
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
export async function remove(ports: Pick<QuotePorts, 'quotes'>, cmd: ItemCommand): Promise<void> {
  const quote = await get(ports, cmd);
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== quote.version) throw staleVersion(cmd.expectedVersion, quote.version);
  requireDraft(quote, 'deleted');
  await ports.quotes.remove(cmd.tenantId, cmd.id, quote.version);
}

export function list(ports: Pick<QuotePorts, 'quotes'>, query: { tenantId: string; filter: QuoteFilter; page: PageRequest }): Promise<Page<Quote>> {
  return ports.quotes.list(query.tenantId, query.filter, query.page);
}

/** What a quote needs before it can go out, all listed at once. */
export function sendRequirements(quote: Pick<Quote, 'lines' | 'client'>): FieldError[] {
  const errors: FieldError[] = [];
  if (!quote.client) errors.push({ field: 'client', message: 'a client is required' });
  if (!quote.lines?.length) errors.push({ field: 'lines', message: 'at least one line is required' });
  return errors;
}

/** Records that the client declined a sent quote. */
export async function decline(ports: Pick<QuotePorts, 'quotes'>, cmd: ItemCommand): Promise<Quote> {
  const { tenantId, id, expectedVersion } = cmd;
  const quote = await get(ports, cmd);
  if (expectedVersion !== undefined && expectedVersion !== quote.version) throw staleVersion(expectedVersion, quote.version);
  if (quote.status !== 'sent') {
    throw new Conflict(`a ${quote.status} quote cannot be declined; only sent ones can`, [{ field: 'status', message: quote.status }]);
  }
  return ports.quotes.update(tenantId, id, { status: 'declined', declinedAt: nowIso() }, quote.version);
}

/**
 * The text of the quote e-mail (placeholders {number}, {total}, {seller}, {link} are filled by the delivery
 * step). A sender's own message keeps the link to the quote page: it is appended when the message lacks it.
 */
export function emailBody(quote: Pick<Quote, 'client' | 'validUntil'>, message?: string): string {
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

/**
 * The quote as the API shows it: the effective status and, once sent, the page's preview URL (records nothing,
 * accepts nothing) and, when `showPublicUrl`, the client's public URL instead of its token (the client's
 * credential: whoever holds it can accept the quote).
 */
export function view(quote: Quote, context: { today: string; publicBaseUrl?: string; showPublicUrl?: boolean }) {
  const { tenantId: _t, publicToken, clientId: _c, ...rest } = quote;
  const out: Record<string, unknown> = { ...rest, number: quote.number ?? null, status: effectiveStatus(quote, context.today) };
  for (const [k, v] of Object.entries(out)) if (v === '') delete out[k];
  if (publicToken && context.publicBaseUrl) {
    if (context.showPublicUrl !== false) out.publicUrl = PublicLink.publicUrl(context.publicBaseUrl, publicToken);
    out.previewUrl = PublicLink.previewUrl(context.publicBaseUrl, publicToken);
  }
  return out;
}

/**
 * The last day the quote's page opens (through its own link or any of its documents' links): validUntil plus the
 * grace period (Settings.quoteLinkGraceDays). After it, every link to the quote answers like an unknown one. Null while
 * the quote has no validity.
 */
export function linkOpenUntil(quote: Pick<Quote, 'validUntil'>, graceDays: number): string | null {
  return quote.validUntil ? addDays(quote.validUntil, graceDays) : null;
}

export function linkExpired(quote: Pick<Quote, 'validUntil'>, day: string, graceDays: number): boolean {
  const until = linkOpenUntil(quote, graceDays);
  return until !== null && until < day;
}
