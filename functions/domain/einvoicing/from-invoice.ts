/**
 * From the project's stored invoice (and the tenant's settings) to the e-invoice engine's input.
 *
 * Kept in one file on purpose: it is the only place that knows both the invoice model and the EN 16931
 * one, so when the invoice modules move, only these imports change.
 *
 * What it decides:
 * - drafts and proformas have no e-invoice (Conflict, 409): only an issued number is a legal document;
 * - a credit note is stored with negative quantities; EN 16931 credit notes carry positive figures, so the
 *   signs of quantities, net amounts and withholdings are flipped;
 * - the seller is the tenant's legal details (legal name, tax id, address, bank account); the buyer is the
 *   client snapshot frozen on the invoice. In the EU a tax id becomes a VAT identifier with its country
 *   prefix (B12345674 in Spain -> ESB12345674); elsewhere it is carried as the legal registration id;
 * - the VAT category of a line comes from `options.vat[i]` when the caller knows it; otherwise: a rate
 *   above 0 is S; a 0 % line is G (export) for a buyer outside the EU, AE (reverse charge) for a buyer in
 *   another EU state with a VAT id, and Z (zero rated) otherwise. An exempt (E) line needs its legal
 *   reason, which the invoice does not hold yet: pass it in `options.vat`;
 * - withholdings (IRPF) come from the invoice's withholding breakdown (see compute.ts for how they are
 *   carried); the IBAN becomes SEPA credit transfer (58) in euros, a plain credit transfer (30) otherwise.
 *
 * The mapping is checked: the engine's totals must equal the invoice's stored ones (net, VAT, withholding),
 * or this throws, since an e-invoice must say what the issued invoice says.
 */
import type { ClientSnapshot } from '../clients';
import { type DocumentSettings, Settings } from '../documents';
import type { Invoice } from '../invoicing';
import { Conflict, dec, type FieldError, formatAmount, RuleViolation } from '../kernel';
import { euVatId, isEuCountry } from './codes';
import { computeEInvoice } from './compute';
import type { EInvoiceInput, EInvoiceParty, EInvoiceSupportingDocument, EInvoiceVat } from './model';

export type VatTreatment = EInvoiceVat;

export interface FromInvoiceOptions {
  /** The tax treatment of each line by index, when known; derived from the rate and the parties otherwise. */
  vat?: (VatTreatment | undefined)[];
  /** The invoices a credit note corrects (BT-25, BT-26). */
  precedingInvoices?: { number: string; issueDate?: string }[];
  /** Date of the supply when it differs from the issue date (BT-72). */
  operationDate?: string;
  /** E.g. the register's QR URL, carried as a supporting document. */
  supportingDocuments?: EInvoiceSupportingDocument[];
  /** The tenant's name, used as the seller's name when the settings give no legal name. */
  tenantName?: string;
}

function sellerOf(settings: DocumentSettings, tenantName: string | undefined, errors: FieldError[]): EInvoiceParty {
  const name = settings.legalName ?? settings.name ?? tenantName;
  if (!name) errors.push({ field: 'settings.legalName', message: "the seller's legal name is needed for an e-invoice" });
  const country = settings.address?.country?.toUpperCase();
  if (!country) errors.push({ field: 'settings.address.country', message: "the seller's address with its country is needed for an e-invoice" });
  const vatId = euVatId(settings.taxId, country);
  return {
    name: name ?? '',
    tradingName: settings.legalName && settings.name && settings.name !== settings.legalName ? settings.name : undefined,
    vatId: vatId ?? undefined,
    legalId: vatId ? undefined : settings.taxId,
    legalForm: settings.legalForm,
    address: { ...settings.address, country: country ?? '' },
    email: settings.email,
    phone: settings.phone,
  };
}

function buyerOf(client: ClientSnapshot | null, errors: FieldError[]): EInvoiceParty {
  if (!client) {
    errors.push({ field: 'client', message: 'an e-invoice needs the client' });
    return { name: '', address: { country: '' } };
  }
  const country = client.address?.country?.toUpperCase();
  if (!country) errors.push({ field: 'client.address.country', message: "the client's address with its country is needed for an e-invoice" });
  const vatId = euVatId(client.taxId, country);
  return {
    name: client.legalName ?? client.name,
    tradingName: client.legalName && client.legalName !== client.name ? client.name : undefined,
    vatId: vatId ?? undefined,
    legalId: vatId ? undefined : client.taxId,
    address: { ...client.address, country: country ?? '' },
    contactName: client.contactName,
    email: client.email,
    phone: client.phone,
  };
}

/** The category a line of this rate most likely has, for these parties (see the module comment). */
export function defaultVatTreatment(rate: string, seller: EInvoiceParty, buyer: EInvoiceParty): VatTreatment {
  if (dec(rate).gt(0)) return { category: 'S', rate };
  const domestic = buyer.address.country === seller.address.country;
  if (!domestic && !isEuCountry(buyer.address.country)) return { category: 'G', rate: '0' };
  if (!domestic && buyer.vatId) return { category: 'AE', rate: '0' };
  return { category: 'Z', rate: '0' };
}

/**
 * The engine's input for an issued invoice or credit note. Throws Conflict for drafts and proformas,
 * RuleViolation (fields of the invoice and settings) when data EN 16931 needs is missing.
 */
export function fromInvoice(invoice: Invoice.Info, settings: DocumentSettings, options: FromInvoiceOptions = {}): EInvoiceInput {
  if (invoice.type === 'proforma') throw new Conflict('a proforma is not an invoice: it has no e-invoice');
  if (invoice.status === 'draft' || !invoice.number || !invoice.issueDate) {
    throw new Conflict('a draft has no e-invoice: issue it first');
  }
  const credit = invoice.type === 'credit_note';
  const sign = (value: string) => (credit ? dec(value).negated().toString() : value);
  const signAmount = (value: string) => formatAmount(credit ? dec(value).negated() : value, invoice.currency);
  const errors: FieldError[] = [];
  const seller = sellerOf(settings, options.tenantName, errors);
  const buyer = buyerOf(invoice.client, errors);
  if (errors.length > 0) throw new RuleViolation('the invoice lacks data an e-invoice needs', errors);

  const withholdingLabel = seller.address.country === 'ES' ? 'IRPF' : 'Withholding tax';
  const iban = settings.bankAccount?.iban;
  const input: EInvoiceInput = {
    kind: credit ? 'credit_note' : 'invoice',
    number: invoice.number,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate ?? undefined,
    operationDate: options.operationDate,
    currency: invoice.currency,
    notes: invoice.notes ? [invoice.notes] : undefined,
    paymentTerms: settings.paymentTerms,
    paymentMeans: iban ? { code: invoice.currency === 'EUR' ? '58' : '30', iban, bic: settings.bankAccount?.bic, accountName: seller.name } : undefined,
    seller,
    buyer,
    lines: invoice.lines.map((line, i) => ({
      id: String(i + 1),
      name: line.description,
      sellerItemId: line.productId,
      quantity: sign(line.quantity),
      unitCode: line.unit,
      unitPrice: line.unitPrice,
      discountPercent: line.discountPercent,
      netAmount: signAmount(line.netAmount),
      vat: options.vat?.[i] ?? defaultVatTreatment(line.taxRate, seller, buyer),
      // a recapitulative invoice's line bills one day's operation: its line period (BG-26) is that day
      ...(line.operationDate ? { period: { start: line.operationDate, end: line.operationDate } } : {}),
    })),
    withholdings: invoice.totals.withholdingBreakdown.map((w) => ({
      label: withholdingLabel,
      rate: w.rate,
      base: signAmount(w.base),
      amount: signAmount(w.amount),
    })),
    precedingInvoices: options.precedingInvoices,
    supportingDocuments: options.supportingDocuments,
  };

  const doc = computeEInvoice(input);
  const expected = { net: signAmount(invoice.totals.net), tax: signAmount(invoice.totals.tax), withholding: signAmount(invoice.totals.withholding) };
  const actual = { net: doc.totals.taxExclusive, tax: doc.totals.tax, withholding: doc.totals.withholding };
  for (const key of ['net', 'tax', 'withholding'] as const) {
    if (!dec(expected[key]).eq(dec(actual[key]))) {
      throw new Error(`e-invoice of ${invoice.id}: ${key} ${actual[key]} differs from the invoice's ${expected[key]}`);
    }
  }
  return input;
}

/**
 * The engine's input for an issued invoice of a tenant: its settings as the seller, its name as the fallback
 * seller name, and (a credit note) the invoices it corrects as BT-25/BT-26, from the invoice's `corrects`.
 */
export function fromTenantInvoice(
  invoice: Invoice.Info,
  tenant: { name?: string; settings?: unknown } | null,
  options: FromInvoiceOptions = {},
): EInvoiceInput {
  const corrects = (invoice as Invoice.Info & { corrects?: { number?: string | null; issueDate?: string | null }[] }).corrects;
  const preceding = (corrects ?? []).flatMap((c) => (c.number ? [{ number: c.number, ...(c.issueDate ? { issueDate: c.issueDate } : {}) }] : []));
  return fromInvoice(invoice, Settings.documentSettingsOf(tenant?.settings), {
    ...(tenant?.name ? { tenantName: tenant.name } : {}),
    ...(preceding.length > 0 ? { precedingInvoices: preceding } : {}),
    ...options,
  });
}
