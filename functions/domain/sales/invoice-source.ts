/**
 * Deals and quotes as invoice sources: what an invoice copies from them (`{ from: { dealId | quoteId } }`),
 * and the rules of which quotes may be invoiced. Sales implements invoicing's InvoiceSourceReader port here.
 */
import { Client, type ClientSnapshot } from '../clients';
import type { InvoiceSource, InvoiceSourceReader } from '../invoicing';
import { Conflict, lineInputs, NotFound, today, withoutEmpty, type InvoiceTotals, type ItemQuery, type LineInput } from '../kernel';
import { get as getDeal, type DealPorts } from './deal';
import { effectiveStatus, get as getQuote, type QuotePorts, type QuoteStatus } from './quote';
import { recapitulativeSources, type RecapitulativePorts } from './recapitulative';

/**
 * A deal or a quote as sales offers it for invoicing: the client (as it stands now for a deal, as the quote
 * froze it), the lines, the source's own totals and version (to check a copy against). Invoicing reads the
 * narrower InvoiceSource made from it (`toInvoiceSource`).
 */
export interface SalesSource {
  sourceType: 'deal' | 'quote';
  sourceId: string;
  /** The client as it stands now (deal) or as the quote froze it (quote); null when the deal has none. */
  client: ClientSnapshot | null;
  companyId?: string;
  contactId?: string;
  lines: LineInput[];
  totals: InvoiceTotals;
  currency: string;
  responsibleUserId?: string;
  dealId?: string;
  quoteId?: string;
  notes?: string;
  /** The source's version when it was read (to detect a concurrent change when linking back). */
  version: number;
}

/** A quote as a source: also its status today, its number and the invoice already made from it. */
export type QuoteSource = SalesSource & { sourceStatus: QuoteStatus; number?: string; invoiceId?: string };
/** A deal as a source: also the invoice that billed it in full (a recapitulative one), if any. */
export type DealSource = SalesSource & { invoiceId?: string };

/**
 * What an invoice copies from a deal: the client as it stands now (company, with the deal's contact
 * as the person to address; else the contact), the lines, currency, responsible user. 404 for a
 * missing or foreign deal. A deal whose client was deleted since gives `client: null`.
 */
export async function fromDeal(ports: Pick<DealPorts, 'deals' | 'clients'>, query: ItemQuery): Promise<DealSource> {
  const { tenantId } = query;
  const deal = await getDeal(ports, query);
  const [company, contact] = await Promise.all([
    deal.companyId ? ports.clients.company(tenantId, deal.companyId) : null,
    deal.contactId ? ports.clients.contact(tenantId, deal.contactId) : null,
  ]);
  return {
    sourceType: 'deal',
    sourceId: deal.id,
    client: Client.snapshot(company, contact),
    ...(company ? { companyId: company.id } : {}),
    ...(contact ? { contactId: contact.id } : {}),
    lines: lineInputs(deal.lines),
    totals: deal.totals,
    currency: deal.currency,
    ...(deal.responsibleUserId ? { responsibleUserId: deal.responsibleUserId } : {}),
    dealId: deal.id,
    version: deal.version,
    ...(deal.invoiceId ? { invoiceId: deal.invoiceId } : {}),
  };
}

/**
 * What an invoice copies from a quote: the client snapshot the quote carries, its lines, totals,
 * currency, notes, responsible user and deal. 404 for a missing or foreign quote. Which statuses an
 * invoice may come from is the invoice's rule (see `sourceStatus`).
 */
export async function fromQuote(ports: Pick<QuotePorts, 'quotes' | 'now'>, query: ItemQuery): Promise<QuoteSource> {
  const day = today(ports.now?.());
  const quote = await getQuote(ports, query);
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

/**
 * The refusal of a second invoice from a quote that already has one, or from a deal a recapitulative invoice
 * billed in full: 409 naming the existing invoice.
 */
export function alreadyInvoiced(quoteId: string, invoiceId: string, type: 'deal' | 'quote' = 'quote'): Conflict {
  return new Conflict(
    `${type} ${quoteId} already has an invoice (${invoiceId}); ask for another explicitly (allowDuplicate) if it is really wanted`,
    [{ field: `from.${type}Id`, message: `already invoiced: ${invoiceId}` }],
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
 * What an invoice takes of a sales source: the client snapshot without the contact person (an invoice names
 * none), the lines to price again the same way, currency, responsible user, the deal and the quote it links back to.
 */
export function toInvoiceSource(source: SalesSource): InvoiceSource {
  const c = source.client;
  const client: ClientSnapshot | null = c
    ? withoutEmpty<ClientSnapshot>({
        kind: c.kind,
        id: c.id,
        name: c.name,
        legalName: c.legalName,
        legalForm: c.legalForm,
        taxId: c.taxId,
        email: c.email,
        phone: c.phone,
        address: c.address,
        locale: c.locale,
      })
    : null;
  return withoutEmpty({
    client,
    lines: source.lines,
    currency: source.currency,
    responsibleUserId: source.responsibleUserId,
    dealId: source.dealId,
    quoteId: source.quoteId,
    notes: source.notes,
  }) as InvoiceSource;
}

/** A deal or a quote by reference, null (not 404) when it does not exist: the shape invoicing's source port reads. */
export async function load(
  ports: Pick<DealPorts, 'deals' | 'clients'> & Pick<QuotePorts, 'quotes' | 'now'>,
  tenantId: string,
  ref: { dealId: string } | { quoteId: string },
): Promise<SalesSource | QuoteSource | null> {
  try {
    return 'dealId' in ref ? await fromDeal(ports, { tenantId, id: ref.dealId }) : await fromQuote(ports, { tenantId, id: ref.quoteId });
  } catch (error) {
    if (error instanceof NotFound) return null;
    throw error;
  }
}

/**
 * Invoicing's source port, implemented by sales: the deal or the quote as an invoice source; 409 for a draft
 * or declined quote, and for a quote that already has its invoice (or a deal a recapitulative invoice billed)
 * unless `allowDuplicate`; and the operations of a recapitulative invoice (recapitulative.ts).
 */
export function reader(
  ports: Pick<DealPorts, 'deals' | 'clients'> & Pick<QuotePorts, 'quotes' | 'now'> & Pick<RecapitulativePorts, 'timeZone'>,
  options: { allowDuplicate?: boolean } = {},
): InvoiceSourceReader {
  return {
    recapitulativeSources: (tenantId, request) => recapitulativeSources(ports, tenantId, request),
    async loadSource(tenantId, ref) {
      const source = await load(ports, tenantId, ref);
      if (!source) return null;
      const billedBy = source.sourceType === 'deal' ? (source as DealSource).invoiceId : undefined;
      if (billedBy && !options.allowDuplicate) throw alreadyInvoiced(source.sourceId, billedBy, 'deal');
      if (source.sourceType === 'quote') {
        const { sourceStatus, invoiceId } = source as QuoteSource;
        const refusal = sourceStatus ? invoicingRefusal(sourceStatus) : null;
        if (refusal) throw new Conflict(refusal, [{ field: 'from.quoteId', message: sourceStatus }], { quoteStatus: sourceStatus });
        if (invoiceId && !options.allowDuplicate) throw alreadyInvoiced(source.sourceId, invoiceId);
      }
      return toInvoiceSource(source);
    },
  };
}
