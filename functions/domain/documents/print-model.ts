/**
 * The document model: the plain data a document template (invoice, credit note, proforma, quote) sees.
 *
 * It is a snapshot made for printing: no ids, no AWS, no behaviour. Amounts and quantities are decimal
 * strings exactly as the domain computed them ("1210.00", "1.5"); tax, discount and withholding rates are
 * percentages as decimal strings ("21" means 21 %). Dates are `YYYY-MM-DD`. Images are asset names that the
 * renderer serves from memory (the bytes travel beside the model, never inside the HTML).
 */

export type DocumentKind = 'invoice' | 'credit_note' | 'proforma' | 'quote' | 'simplified';

/** Locales that have document labels; anything else falls back to English. */
export const DOCUMENT_LOCALES = ['en', 'es', 'ru', 'ro'] as const;
export type DocumentLocale = (typeof DOCUMENT_LOCALES)[number];
export const DEFAULT_DOCUMENT_LOCALE: DocumentLocale = 'en';

export interface DocumentAddress {
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  region?: string | null;
  /** ISO 3166-1 alpha-2 code or a country name, printed as given. */
  country: string;
}

export interface DocumentBankAccount {
  iban?: string | null;
  /** A SWIFT BIC, or a Russian 9-digit БИК. */
  bic?: string | null;
  bankName?: string | null;
  /** The account number where there is no IBAN (a Russian settlement account, расчётный счёт). */
  accountNumber?: string | null;
}

export interface DocumentSeller {
  name: string;
  legalName?: string | null;
  legalForm?: string | null;
  taxId?: string | null;
  address?: DocumentAddress | null;
  email?: string | null;
  phone?: string | null;
  bankAccount?: DocumentBankAccount | null;
  /** CSS hex colour ("#1f6feb"); anything else is ignored by the templates. */
  brandColor?: string | null;
}

export interface DocumentClient {
  kind: 'company' | 'contact';
  name: string;
  legalName?: string | null;
  taxId?: string | null;
  address?: DocumentAddress | null;
  email?: string | null;
  phone?: string | null;
}

export interface DocumentLine {
  description: string;
  /** Decimal string. */
  quantity: string;
  unit?: string | null;
  /** Decimal string, net of tax, before discount. */
  unitPrice: string;
  /** Percentage as a decimal string ("10" = 10 %). */
  discountPercent?: string | null;
  /** Percentage as a decimal string ("21" = 21 %). */
  taxRate: string;
  /** Decimal string: quantity x unit price - discount, rounded to the currency's minor units. */
  netAmount: string;
  /** A recapitulative invoice: the day of the operation the line bills (YYYY-MM-DD). */
  operationDate?: string | null;
}

export interface DocumentTaxBreakdown {
  /** Percentage as a decimal string. */
  rate: string;
  base: string;
  amount: string;
}

export interface DocumentTotals {
  net: string;
  tax: string;
  withholding: string;
  total: string;
  taxBreakdown: DocumentTaxBreakdown[];
  /** One row per withholding rate (e.g. Spanish IRPF): its rate, the base it is taken on and the amount. */
  withholdingBreakdown?: DocumentTaxBreakdown[];
}

/** An invoice a credit note corrects. */
export interface DocumentCorrection {
  number: string;
  issueDate?: string | null;
}

export interface DocumentImages {
  logo?: string | null;
  stamp?: string | null;
  signature?: string | null;
}

export interface DocumentModel {
  kind: DocumentKind;
  /** 'en' | 'es' | 'ru' | 'ro' (a region such as 'es-MX' is kept for number and date formats); else English. */
  locale: string;
  /** Null while the document is a draft (no number assigned yet). */
  number: string | null;
  issueDate: string | null;
  dueDate?: string | null;
  validUntil?: string | null;
  /** ISO 4217. */
  currency: string;
  seller: DocumentSeller;
  client: DocumentClient;
  lines: DocumentLine[];
  totals: DocumentTotals;
  notes?: string | null;
  paymentTerms?: string | null;
  images?: DocumentImages | null;
  /** A credit note: the invoices it corrects. */
  corrects?: DocumentCorrection[] | null;
  /** A credit note: its reason code (R1-R5) and text. */
  correctionReason?: { code: string; text: string | null } | null;
  /** The total in words, in the document's language, where it is customary (Russian documents); else null. */
  amountInWords?: string | null;
  /** A registered invoice (VERI*FACTU): its QR code (an asset name), the URL it carries and the legal texts printed with it. */
  register?: DocumentRegister | null;
  /** A recapitulative invoice (factura recapitulativa): titled so, each line with its operation date. */
  recapitulative?: boolean;
}

/** What the register prints at the top of page 1: «QR tributario:», the code, and the VERI*FACTU legend. */
export interface DocumentRegister {
  /** Asset name of the QR code image (PNG). */
  qr: string;
  /** The AEAT validation URL the code carries. */
  url: string;
  /** The text before the code: «QR tributario:». */
  label: string;
  /** «VERI*FACTU». */
  mark: string;
  /** «Factura verificable en la sede electrónica de la AEAT». */
  legend: string;
}

/** Optional fields filled with null, so that strict templates only fail on names that do not exist at all. */
export type NormalizedDocumentModel = DocumentModel & {
  corrects: DocumentCorrection[];
  correctionReason: { code: string; text: string | null } | null;
  amountInWords: string | null;
  register: DocumentRegister | null;
  recapitulative: boolean;
  totals: DocumentTotals & { withholdingBreakdown: DocumentTaxBreakdown[] };
  dueDate: string | null;
  validUntil: string | null;
  notes: string | null;
  paymentTerms: string | null;
  images: Required<DocumentImages>;
  seller: DocumentSeller & Required<Omit<DocumentSeller, 'name'>>;
  client: DocumentClient & Required<Omit<DocumentClient, 'kind' | 'name'>>;
  lines: Array<DocumentLine & { unit: string | null; discountPercent: string | null; operationDate: string | null }>;
};

/** The label locale of a model locale: 'ru-RU' -> 'ru', 'de' -> 'en'. */
export function documentLocale(locale: string | null | undefined): DocumentLocale {
  const language = (locale ?? '').split(/[-_]/)[0]?.toLowerCase() ?? '';
  return (DOCUMENT_LOCALES as readonly string[]).includes(language) ? (language as DocumentLocale) : DEFAULT_DOCUMENT_LOCALE;
}

function normalizeAddress(address: DocumentAddress | null | undefined): DocumentAddress | null {
  if (!address) return null;
  return { ...address, line2: address.line2 ?? null, region: address.region ?? null };
}

/**
 * The model with every optional field present (null when absent). Templates run in Handlebars strict
 * mode, where `{{client.email}}` throws for a key that does not exist but prints nothing for a null one.
 */
export function normalizeDocumentModel(model: DocumentModel): NormalizedDocumentModel {
  const seller = model.seller;
  const client = model.client;
  return {
    ...model,
    corrects: (model.corrects ?? []).map((c) => ({ number: c.number, issueDate: c.issueDate ?? null })),
    correctionReason: model.correctionReason ? { code: model.correctionReason.code, text: model.correctionReason.text ?? null } : null,
    amountInWords: model.amountInWords ?? null,
    register: model.register ?? null,
    recapitulative: model.recapitulative ?? false,
    dueDate: model.dueDate ?? null,
    validUntil: model.validUntil ?? null,
    notes: model.notes ?? null,
    paymentTerms: model.paymentTerms ?? null,
    images: {
      logo: model.images?.logo ?? null,
      stamp: model.images?.stamp ?? null,
      signature: model.images?.signature ?? null,
    },
    seller: {
      ...seller,
      legalName: seller.legalName ?? null,
      legalForm: seller.legalForm ?? null,
      taxId: seller.taxId ?? null,
      address: normalizeAddress(seller.address),
      email: seller.email ?? null,
      phone: seller.phone ?? null,
      bankAccount: seller.bankAccount
        ? {
            iban: seller.bankAccount.iban ?? null,
            bic: seller.bankAccount.bic ?? null,
            bankName: seller.bankAccount.bankName ?? null,
            accountNumber: seller.bankAccount.accountNumber ?? null,
          }
        : null,
      brandColor: seller.brandColor ?? null,
    },
    client: {
      ...client,
      legalName: client.legalName ?? null,
      taxId: client.taxId ?? null,
      address: normalizeAddress(client.address),
      email: client.email ?? null,
      phone: client.phone ?? null,
    },
    lines: model.lines.map((line) => ({
      ...line,
      unit: line.unit ?? null,
      discountPercent: line.discountPercent ?? null,
      operationDate: line.operationDate ?? null,
    })),
    totals: {
      ...model.totals,
      taxBreakdown: model.totals.taxBreakdown.map((row) => ({ ...row })),
      withholdingBreakdown: (model.totals.withholdingBreakdown ?? []).map((row) => ({ ...row })),
    },
  };
}

type DeepPartial<T> = T extends readonly (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge<T>(base: T, patch: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(patch)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? merge(out[key], value) : value;
  }
  return out as T;
}

/**
 * A complete, consistent invoice for previews and tests (template preview uses it as "sample data").
 * Overrides merge deeply into objects; arrays (lines, taxBreakdown) replace the sample's.
 */
export function sampleDocumentModel(overrides: DeepPartial<DocumentModel> = {}): DocumentModel {
  const base: DocumentModel = {
    kind: 'invoice',
    locale: 'en',
    number: 'INV-2026-0042',
    issueDate: '2026-11-22',
    dueDate: '2026-12-22',
    validUntil: null,
    currency: 'EUR',
    seller: {
      name: 'Acme Cloud Services',
      legalName: 'Acme Cloud Services S.L.',
      legalForm: 'S.L.',
      taxId: 'ESB12345674',
      address: {
        line1: 'Calle de Alcalá 42',
        line2: '3º izquierda',
        city: 'Madrid',
        postalCode: '28014',
        region: 'Madrid',
        country: 'ES',
      },
      email: 'billing@acme.example',
      phone: '+34 910 000 000',
      bankAccount: { iban: 'ES91 2100 0418 4502 0005 1332', bic: 'CAIXESBBXXX', bankName: 'CaixaBank' },
      brandColor: '#1f5fae',
    },
    client: {
      kind: 'company',
      name: 'Núñez Ingeniería',
      legalName: 'Núñez Ingeniería S.A.',
      taxId: 'ESA87654323',
      address: { line1: 'Avenida Diagonal 640', city: 'Barcelona', postalCode: '08017', country: 'ES' },
      email: 'cuentas@nunez.example',
      phone: '+34 930 000 000',
    },
    lines: [
      {
        description: 'Consulting services, November',
        quantity: '10',
        unit: 'h',
        unitPrice: '80.00',
        discountPercent: null,
        taxRate: '21',
        netAmount: '800.00',
      },
      {
        description: 'Annual software licence',
        quantity: '1',
        unit: null,
        unitPrice: '250.00',
        discountPercent: '10',
        taxRate: '21',
        netAmount: '225.00',
      },
      {
        description: 'Technical books',
        quantity: '2',
        unit: 'pcs',
        unitPrice: '30.00',
        discountPercent: null,
        taxRate: '4',
        netAmount: '60.00',
      },
    ],
    totals: {
      net: '1085.00',
      tax: '217.65',
      withholding: '0.00',
      total: '1302.65',
      taxBreakdown: [
        { rate: '21', base: '1025.00', amount: '215.25' },
        { rate: '4', base: '60.00', amount: '2.40' },
      ],
    },
    notes: 'Thank you for your business.',
    paymentTerms: 'Bank transfer within 30 days.',
    images: { logo: null, stamp: null, signature: null },
  };
  return merge(base, overrides);
}
