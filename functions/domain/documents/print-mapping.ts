/**
 * What a document template sees, made from the records: an invoice (or credit note, proforma) or a quote,
 * plus the tenant's settings (seller details, locale, colours, images). Pure mapping, no I/O: the images
 * are passed as the asset names the renderer will serve them under.
 */
import type { ClientSnapshot } from '../clients';
import { amountInWords } from './amount-in-words';
import {
  documentLocale,
  sampleDocumentModel,
  type DocumentAddress,
  type DocumentClient,
  type DocumentImages,
  type DocumentKind,
  type DocumentLine,
  type DocumentModel,
  type DocumentSeller,
  type DocumentTotals,
} from './print-model';
import type { ComputedLine, InvoiceTotals } from '../kernel';
import { documentSettingsOf, hasSellerDetails, imageAssetName, IMAGE_NAMES, type DocumentSettings, type ImageName, type StoredImage } from './settings';

/** The data does not make a document (no client, ...): the render fails with this message, never retried. */
/** What an invoice (credit note, proforma) gives its document: the invoice record satisfies it as it is. */
export interface PrintableInvoice {
  type: 'invoice' | 'credit_note' | 'proforma' | 'simplified';
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  currency: string;
  client: ClientSnapshot | null;
  lines: ComputedLine[];
  totals: InvoiceTotals;
  notes?: string;
  /** A credit note: the invoices it corrects (printed when present). */
  corrects?: { invoiceId?: string; number: string; issueDate?: string | null }[];
  /** A credit note: its reason code (R1-R5) and text. */
  reason?: string;
  reasonText?: string;
  /** A recapitulative invoice: titled so; its lines carry their operation dates. */
  recapitulative?: boolean;
}

/** What a quote gives its document: the quote record satisfies it as it is. */
export interface PrintableQuote {
  number?: string;
  issueDate?: string;
  validUntil?: string;
  currency: string;
  client: ClientSnapshot;
  lines: ComputedLine[];
  totals: InvoiceTotals;
  notes?: string;
}

export class DocumentDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentDataError';
  }
}

/** The tenant as the mapping needs it: its name and its stored settings (any shape; read defensively). */
export interface TenantForDocuments {
  name: string;
  settings?: unknown;
}

type LooseAddress = { line1?: string; line2?: string; city?: string; postalCode?: string; region?: string; country?: string };

function address(a: LooseAddress | null | undefined): DocumentAddress | null {
  if (!a || !Object.values(a).some((v) => typeof v === 'string' && v.trim() !== '')) return null;
  return {
    line1: a.line1 ?? '',
    line2: a.line2 ?? null,
    city: a.city ?? '',
    postalCode: a.postalCode ?? '',
    region: a.region ?? null,
    country: a.country ?? '',
  };
}

const HEX_COLOR = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** The seller: the tenant's legal details from its settings, its name when it has given none. */
export function sellerOf(tenant: TenantForDocuments, settings: DocumentSettings = documentSettingsOf(tenant.settings)): DocumentSeller {
  const s = settings;
  return {
    name: s.name?.trim() || s.legalName?.trim() || tenant.name,
    legalName: s.legalName ?? null,
    legalForm: s.legalForm ?? null,
    taxId: s.taxId ?? null,
    address: address(s.address),
    email: s.email ?? null,
    phone: s.phone ?? null,
    bankAccount:
      s.bankAccount && (s.bankAccount.iban || s.bankAccount.bic || s.bankAccount.bankName || s.bankAccount.accountNumber)
        ? {
            iban: s.bankAccount.iban ?? null,
            bic: s.bankAccount.bic ?? null,
            bankName: s.bankAccount.bankName ?? null,
            accountNumber: s.bankAccount.accountNumber ?? null,
          }
        : null,
    brandColor: settings.brandColor && HEX_COLOR.test(settings.brandColor) ? settings.brandColor : null,
  };
}

/** The images the settings hold, as the asset names the renderer serves them under. */
export function documentImagesOf(settings: DocumentSettings): DocumentImages {
  const images: DocumentImages = { logo: null, stamp: null, signature: null };
  for (const name of IMAGE_NAMES) {
    const image = settings.images?.[name];
    if (image) images[name] = imageAssetName(image);
  }
  return images;
}

/** The stored images a document of these settings shows, with the asset name each is served under. */
export function documentImageFiles(settings: DocumentSettings): { name: ImageName; asset: string; image: StoredImage }[] {
  return IMAGE_NAMES.flatMap((name) => {
    const image = settings.images?.[name];
    return image ? [{ name, asset: imageAssetName(image), image }] : [];
  });
}

/** A legal form as a comparable word: "S.L." and "SL", "АО" and "ао" alike. */
const formKey = (text: string) => text.toLocaleLowerCase().replace(/[.\s]/g, '');

/**
 * The legal name with its legal form, the form printed once: "Acme Iberia" + "S.L." is "Acme Iberia S.L.", but a
 * name that already carries the form, first or last ("АО «Северный ветер»", "Acme Iberia SL"), is left as it is.
 */
export function withLegalForm(legalName: string, legalForm: string | null | undefined): string {
  const form = legalForm?.trim();
  if (!form) return legalName;
  const key = formKey(form);
  const words = legalName.trim().split(/\s+/);
  const first = formKey(words[0] ?? '');
  const last = formKey(words.at(-1) ?? '');
  if (first === key || last === key || formKey(legalName).endsWith(key)) return legalName;
  return `${legalName} ${form}`;
}

/** The client an invoice or a quote froze (the same snapshot for both). */
function clientOf(client: ClientSnapshot | null | undefined, what: string): DocumentClient {
  if (!client || !client.name) throw new DocumentDataError(`the ${what} has no client: give it one before rendering it`);
  const legalName = client.legalName ? withLegalForm(client.legalName, client.legalForm) : null;
  return {
    kind: client.kind,
    name: client.name,
    legalName,
    taxId: client.taxId ?? null,
    address: address(client.address),
    email: client.email ?? null,
    phone: client.phone ?? null,
  };
}

function linesOf(lines: ComputedLine[]): DocumentLine[] {
  return lines.map((line) => ({
    description: line.description,
    quantity: line.quantity,
    unit: line.unit ?? null,
    unitPrice: line.unitPrice,
    discountPercent: line.discountPercent && Number(line.discountPercent) !== 0 ? line.discountPercent : null,
    taxRate: line.taxRate,
    netAmount: line.netAmount,
    ...(line.operationDate ? { operationDate: line.operationDate } : {}),
  }));
}

function totalsOf(totals: InvoiceTotals): DocumentTotals {
  return {
    net: totals.net,
    tax: totals.tax,
    withholding: totals.withholding,
    total: totals.total,
    taxBreakdown: totals.taxBreakdown.map(({ rate, base, amount }) => ({ rate, base, amount })),
    withholdingBreakdown: (totals.withholdingBreakdown ?? []).map(({ rate, base, amount }) => ({ rate, base, amount })),
  };
}

/** The document's language: the client's own when it has one, else the tenant's. */
function localeFor(client: ClientSnapshot | null | undefined, settings: DocumentSettings): string {
  return client?.locale || settings.locale;
}

function common(tenant: TenantForDocuments) {
  const settings = documentSettingsOf(tenant.settings);
  return {
    settings,
    seller: sellerOf(tenant, settings),
    images: documentImagesOf(settings),
    paymentTerms: settings.paymentTerms ?? null,
  };
}

/** An invoice, credit note or proforma as its document shows it. Throws DocumentDataError without a client. */
export function invoiceDocumentModel(invoice: PrintableInvoice, tenant: TenantForDocuments): DocumentModel {
  const { settings, seller, images, paymentTerms } = common(tenant);
  const locale = localeFor(invoice.client, settings);
  return {
    kind: invoice.type,
    locale,
    number: invoice.number ?? null,
    issueDate: invoice.issueDate ?? null,
    dueDate: invoice.dueDate ?? null,
    validUntil: null,
    currency: invoice.currency,
    seller,
    // a simplified invoice (and the R5 note correcting one) may name no recipient
    client:
      !invoice.client && (invoice.type === 'simplified' || invoice.reason === 'R5')
        ? { kind: 'contact', name: '', legalName: null, taxId: null, address: null, email: null, phone: null }
        : clientOf(invoice.client, invoice.type === 'credit_note' ? 'credit note' : 'invoice'),
    lines: linesOf(invoice.lines),
    totals: totalsOf(invoice.totals),
    notes: invoice.notes ?? null,
    paymentTerms,
    images,
    corrects: invoice.corrects?.length ? invoice.corrects.map((c) => ({ number: c.number, issueDate: c.issueDate ?? null })) : null,
    correctionReason: invoice.type === 'credit_note' && invoice.reason ? { code: invoice.reason, text: invoice.reasonText ?? null } : null,
    amountInWords: amountInWords(invoice.totals.total, invoice.currency, documentLocale(locale)),
    ...(invoice.recapitulative ? { recapitulative: true } : {}),
  };
}

/** A quote as its document shows it. Throws DocumentDataError without a client. */
export function quoteDocumentModel(quote: PrintableQuote, tenant: TenantForDocuments): DocumentModel {
  const { settings, seller, images } = common(tenant);
  const locale = localeFor(quote.client, settings);
  return {
    kind: 'quote',
    locale,
    number: quote.number ?? null,
    issueDate: quote.issueDate ?? null,
    dueDate: null,
    validUntil: quote.validUntil ?? null,
    currency: quote.currency,
    seller,
    client: clientOf(quote.client, 'quote'),
    lines: linesOf(quote.lines),
    totals: totalsOf(quote.totals),
    notes: quote.notes ?? null,
    paymentTerms: null,
    images,
    amountInWords: amountInWords(quote.totals.total, quote.currency, documentLocale(locale)),
  };
}

/**
 * Sample data for a template preview, shown as the tenant's own documents would be: its seller details
 * (where it has given them), locale, colour and images, around the sample client and lines.
 */
export function previewDocumentModel(tenant: TenantForDocuments, kind: DocumentKind = 'invoice', locale?: string): DocumentModel {
  const { settings, seller, images, paymentTerms } = common(tenant);
  const sample = sampleDocumentModel({ kind, ...(kind === 'quote' ? { dueDate: null, validUntil: '2026-12-22' } : {}) });
  const hasOwnSeller = hasSellerDetails(settings);
  const shownLocale = locale ? documentLocale(locale) : settings.locale;
  return {
    ...sample,
    locale: shownLocale,
    amountInWords: amountInWords(sample.totals.total, sample.currency, documentLocale(shownLocale)),
    corrects: kind === 'credit_note' ? [{ number: 'INV-2026-0041', issueDate: '2026-11-02' }] : null,
    correctionReason: kind === 'credit_note' ? { code: 'R1', text: 'Price agreed was lower' } : null,
    seller: hasOwnSeller ? seller : { ...sample.seller, brandColor: seller.brandColor ?? sample.seller.brandColor },
    images,
    paymentTerms: paymentTerms ?? sample.paymentTerms,
  };
}

/** Which documents a template of a kind may print: invoice templates print invoices, proformas and credit notes. */
export function templateFits(templateKind: 'invoice' | 'quote' | 'credit_note', documentKind: DocumentKind): boolean {
  if (templateKind === 'quote') return documentKind === 'quote';
  if (templateKind === 'credit_note') return documentKind === 'credit_note';
  return documentKind !== 'quote';
}
