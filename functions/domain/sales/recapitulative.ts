/**
 * Recapitulative invoices (factura recapitulativa, art. 13 RD 1619/2012): which deals and quotes of one client
 * and one calendar month one invoice groups. A deal counts from the day it was won (`closedAt` in its
 * pipeline's success stage), a quote from the day it was accepted (`acceptedAt`); either only while it has no
 * invoice yet (`invoiceId`, the same link `{ from: { dealId | quoteId } }` and the quote's automation use).
 *
 * `selectRecapitulative` is the rule, pure; `recapitulativeSources` reads the candidates through the sales
 * stores and applies it. The invoice itself is invoicing's (Recapitulative.create), linked to its sources in the
 * transaction that writes it.
 */
import type { RecapitulativeRequest, RecapitulativeSource } from '../invoicing';
import { Conflict, dayIn, type FieldError, lineInputs, type LineInput, type Page, type PageRequest, RuleViolation, today } from '../kernel';
import type { Deal, DealStore } from './deal';
import { effectiveStatus, type Quote, type QuoteStore } from './quote';

/** A deal or a quote as the rule sees it: whose it is, when it was won or accepted, whether it has an invoice. */
export interface RecapitulativeCandidate {
  type: 'deal' | 'quote';
  id: string;
  companyId: string;
  contactId: string;
  /** won (deal) / accepted (quote): may be invoiced at all. */
  concluded: boolean;
  /** The day it was won or accepted (YYYY-MM-DD), when it was. */
  operationDate: string | null;
  /** The invoice already made from it. */
  invoiceId?: string;
  /** A quote: the deal it was made for (the same operation: one of the two is billed). */
  dealId?: string;
  currency: string;
  lines: LineInput[];
}

export type { RecapitulativeRequest };

/** The field a named source is refused by: `dealIds[1]`, `quoteIds[0]`; for an unnamed one, the list's name. */
function fieldOf(request: RecapitulativeRequest, type: 'deal' | 'quote', id: string): string {
  const list = type === 'deal' ? request.dealIds : request.quoteIds;
  const index = list?.indexOf(id) ?? -1;
  return index >= 0 ? `${type}Ids[${index}]` : `${type}Ids`;
}

/** Is the candidate the client's: a company's deals and quotes; a contact's when no company is theirs. */
function belongsTo(candidate: RecapitulativeCandidate, request: RecapitulativeRequest): boolean {
  if (request.companyId) return candidate.companyId === request.companyId;
  return !candidate.companyId && candidate.contactId === request.contactId;
}

/**
 * The most operations one recapitulative invoice groups: its write claims every source in one DynamoDB
 * transaction (at most 100 items: per source its claim and its timeline entry, besides the invoice's own).
 */
export const MAX_SOURCES = 40;

/**
 * The sources one recapitulative invoice groups, in operation-date order. Without ids: every candidate of the
 * client concluded in the month without an invoice. With ids: exactly those, each refused by name
 * (`dealIds[i]`, `quoteIds[i]`) when it does not exist, is another client's, is not won / accepted, was
 * concluded in another month or is in another currency (422, all at once), or already has an invoice (409,
 * naming it, when nothing else is wrong). A deal and its accepted quote are one operation: without ids the quote
 * bills it (the deal is left out); naming both is refused on the deal. Nothing to invoice: 422 on `month`.
 */
export function selectRecapitulative(request: RecapitulativeRequest, candidates: readonly RecapitulativeCandidate[]): RecapitulativeCandidate[] {
  const named = !!(request.dealIds?.length || request.quoteIds?.length);
  const errors: FieldError[] = [];
  const invoiced: FieldError[] = [];
  const invoices: string[] = [];
  let chosen: RecapitulativeCandidate[];
  if (named) {
    chosen = [];
    for (const type of ['deal', 'quote'] as const) {
      const ids = (type === 'deal' ? request.dealIds : request.quoteIds) ?? [];
      ids.forEach((id: string, i: number) => {
        const field = `${type}Ids[${i}]`;
        if (ids.indexOf(id) !== i) return void errors.push({ field, message: `named twice (${type}Ids[${ids.indexOf(id)}])` });
        const found = candidates.find((c) => c.type === type && c.id === id);
        if (!found) return void errors.push({ field, message: `no such ${type}` });
        if (!belongsTo(found, request)) return void errors.push({ field, message: `another client's ${type}` });
        if (!found.concluded || !found.operationDate)
          return void errors.push({ field, message: type === 'deal' ? 'the deal is not won' : 'the quote is not accepted' });
        if (found.operationDate.slice(0, 7) !== request.month)
          return void errors.push({ field, message: `${type === 'deal' ? 'won' : 'accepted'} on ${found.operationDate}, not in ${request.month}` });
        if (found.invoiceId) {
          invoiced.push({ field, message: `already invoiced: ${found.invoiceId}` });
          invoices.push(found.invoiceId);
          return;
        }
        chosen.push(found);
      });
    }
  } else {
    chosen = candidates.filter((c) => belongsTo(c, request) && c.concluded && c.operationDate?.slice(0, 7) === request.month && !c.invoiceId);
    // a deal and its accepted quote are one operation: the quote (the price the client accepted) bills it
    const quotedDeals = new Set(chosen.flatMap((c) => (c.type === 'quote' && c.dealId ? [c.dealId] : [])));
    chosen = chosen.filter((c) => !(c.type === 'deal' && quotedDeals.has(c.id)));
  }
  if (named) {
    for (const q of chosen) {
      if (q.type === 'quote' && q.dealId && chosen.some((d) => d.type === 'deal' && d.id === q.dealId))
        errors.push({ field: fieldOf(request, 'deal', q.dealId), message: `its quote ${q.id} is in this invoice too: one operation, name one of them` });
    }
  }
  chosen.sort((a, b) => (a.operationDate! < b.operationDate! ? -1 : a.operationDate! > b.operationDate! ? 1 : a.id < b.id ? -1 : 1));
  const currency = chosen[0]?.currency;
  for (const c of chosen) {
    if (c.currency !== currency)
      errors.push({ field: fieldOf(request, c.type, c.id), message: `in ${c.currency}; the other operations are in ${currency}: one invoice per currency` });
  }
  if (errors.length > 0) throw new RuleViolation('some operations cannot be in this recapitulative invoice', [...errors, ...invoiced]);
  if (invoiced.length > 0) throw new Conflict('some operations already have an invoice', invoiced, { invoiceId: invoices[0]!, invoiceIds: invoices });
  if (chosen.length === 0)
    throw new RuleViolation(`the client has no won deal nor accepted quote without an invoice in ${request.month}`, [
      { field: 'month', message: 'nothing to invoice in this month' },
    ]);
  if (chosen.length > MAX_SOURCES)
    throw new RuleViolation(
      `the client has ${chosen.length} operations to invoice in ${request.month}; one recapitulative invoice groups at most ${MAX_SOURCES}`,
      [
        {
          field: 'month',
          message: `${chosen.length} operations, at most ${MAX_SOURCES} per invoice: name them with dealIds / quoteIds and make one invoice per group (the first ${MAX_SOURCES}: ${chosen[MAX_SOURCES - 1]!.operationDate} and before)`,
        },
      ],
    );
  return chosen;
}

/** A deal as a candidate; its operation date is the day it was won in the tenant's time zone. */
export function dealCandidate(deal: Deal, timeZone = 'UTC'): RecapitulativeCandidate {
  return {
    type: 'deal',
    id: deal.id,
    companyId: deal.companyId ?? '',
    contactId: deal.contactId ?? '',
    concluded: deal.status === 'won',
    operationDate: deal.status === 'won' && deal.closedAt ? dayIn(deal.closedAt, timeZone) : null,
    ...(deal.invoiceId ? { invoiceId: deal.invoiceId } : {}),
    currency: deal.currency,
    lines: lineInputs(deal.lines),
  };
}

/** A quote as a candidate (its status on `day`); its operation date is the day it was accepted in the tenant's time zone. */
export function quoteCandidate(quote: Quote, day: string, timeZone = 'UTC'): RecapitulativeCandidate {
  const accepted = effectiveStatus(quote, day) === 'accepted';
  return {
    type: 'quote',
    id: quote.id,
    companyId: quote.companyId ?? '',
    contactId: quote.contactId ?? '',
    concluded: accepted,
    operationDate: accepted && quote.acceptedAt ? dayIn(quote.acceptedAt, timeZone) : null,
    ...(quote.invoiceId ? { invoiceId: quote.invoiceId } : {}),
    ...(quote.dealId ? { dealId: quote.dealId } : {}),
    currency: quote.currency,
    lines: lineInputs(quote.lines),
  };
}

async function allPages<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await list({ limit: 100, cursor });
    all.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

export interface RecapitulativePorts {
  deals: Pick<DealStore, 'get' | 'list'>;
  quotes: Pick<QuoteStore, 'get' | 'list'>;
  now?: () => Date;
  /** The tenant's time zone (its `timeZone` setting), the days of operations are counted in; UTC when absent. */
  timeZone?: (tenantId: string) => Promise<string>;
}

/**
 * The sources of a recapitulative invoice (invoicing's source port): the named deals and quotes, or all of the
 * client's; then the rule. Each keeps its lines, operation date and version-free id (the link is conditioned on
 * "no invoice yet" when the invoice is written).
 */
export async function recapitulativeSources(ports: RecapitulativePorts, tenantId: string, request: RecapitulativeRequest): Promise<RecapitulativeSource[]> {
  const timeZone = (await ports.timeZone?.(tenantId)) ?? 'UTC';
  const day = today(ports.now?.());
  const named = !!(request.dealIds?.length || request.quoteIds?.length);
  let deals: (Deal | null)[];
  let quotes: (Quote | null)[];
  if (named) {
    [deals, quotes] = await Promise.all([
      Promise.all([...new Set(request.dealIds ?? [])].map((id) => ports.deals.get(tenantId, id))),
      Promise.all([...new Set(request.quoteIds ?? [])].map((id) => ports.quotes.get(tenantId, id))),
    ]);
  } else {
    const clientId = (request.companyId ?? request.contactId)!;
    [deals, quotes] = await Promise.all([
      allPages((page) => ports.deals.list(tenantId, request.companyId ? { companyId: clientId } : { contactId: clientId }, page)),
      allPages((page) => ports.quotes.list(tenantId, { clientId }, page)),
    ]);
  }
  const candidates = [
    ...deals.filter((d): d is Deal => !!d && d.tenantId === tenantId).map((d) => dealCandidate(d, timeZone)),
    ...quotes.filter((q): q is Quote => !!q && q.tenantId === tenantId).map((q) => quoteCandidate(q, day, timeZone)),
  ];
  return selectRecapitulative(request, candidates).map((c) => ({
    type: c.type,
    id: c.id,
    operationDate: c.operationDate!,
    currency: c.currency,
    lines: c.lines,
  }));
}
