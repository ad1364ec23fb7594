/**
 * Input checks of the e-invoice engine: what EN 16931 requires of the data before a single figure is
 * computed (mandatory fields, code formats, the VAT-category rules on parties). Every problem is reported
 * at once, with the path of the field in EInvoiceInput.
 */
import { dec, type FieldError, isCurrency, isDecimalString, minorUnits, validateLine } from '../kernel';
import { CREDIT_TRANSFER_CODES } from './codes';
import { VAT_CATEGORIES, type EInvoiceInput, type EInvoiceParty, type EInvoicePeriod, type EInvoiceVat, type VatCategory } from './model';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const COUNTRY = /^[A-Z]{2}$/;
/** BR-CO-09: a VAT identifier starts with the ISO 3166-1 alpha-2 code of its country ("EL" for Greece). */
const VAT_ID = /^[A-Z]{2}[0-9A-Za-z+*.]{2,}$/;
const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

export function isIsoDate(value: unknown): value is string {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (!match) return false;
  const [, y, m, d] = match.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const present = (s: string | undefined): s is string => typeof s === 'string' && s.trim() !== '';

/** Categories that charge no VAT: the rate must be 0 (or absent). */
const ZERO_RATED: ReadonlySet<VatCategory> = new Set(['Z', 'E', 'AE', 'K', 'G']);

function vatProblems(vat: EInvoiceVat | undefined, at: string): FieldError[] {
  if (!vat || !(VAT_CATEGORIES as readonly string[]).includes(vat.category)) {
    return [{ field: `${at}.category`, message: `VAT category must be one of ${VAT_CATEGORIES.join(', ')}` }];
  }
  const errors: FieldError[] = [];
  if (vat.rate !== undefined && !isDecimalString(vat.rate, { maxScale: 4 })) {
    errors.push({ field: `${at}.rate`, message: 'the VAT rate must be a non-negative decimal string' });
  } else if (vat.category === 'S' && (vat.rate === undefined || !dec(vat.rate).gt(0))) {
    errors.push({ field: `${at}.rate`, message: 'category S (standard rate) needs a VAT rate above 0 (BR-S-05)' });
  } else if ((ZERO_RATED.has(vat.category) || vat.category === 'O') && vat.rate !== undefined && !dec(vat.rate).isZero()) {
    errors.push({ field: `${at}.rate`, message: `category ${vat.category} charges no VAT: the rate must be 0` });
  }
  if ((vat.category === 'S' || vat.category === 'Z') && (present(vat.exemptionReason) || present(vat.exemptionReasonCode))) {
    errors.push({
      field: `${at}.exemptionReason`,
      message: `category ${vat.category} is taxed (at ${vat.category === 'Z' ? 'zero' : 'a'} rate): it takes no exemption reason (BR-${vat.category}-10)`,
    });
  }
  return errors;
}

/** A line period (BG-26): dates as YYYY-MM-DD, a start or an end (BR-CO-20), the end not before the start (BR-30). */
function periodProblems(period: EInvoicePeriod, at: string): FieldError[] {
  if (!period || typeof period !== 'object') return [{ field: at, message: 'a line period is an object with a start and/or an end date' }];
  const errors: FieldError[] = [];
  for (const key of ['start', 'end'] as const) {
    if (period[key] !== undefined && !isIsoDate(period[key])) errors.push({ field: `${at}.${key}`, message: `the period ${key} must be a date as YYYY-MM-DD` });
  }
  if (period.start === undefined && period.end === undefined) {
    errors.push({ field: `${at}.start`, message: 'a line period has a start date or an end date (BR-CO-20)' });
  } else if (errors.length === 0 && period.start !== undefined && period.end !== undefined && period.end < period.start) {
    errors.push({ field: `${at}.end`, message: 'the period end cannot be before its start (BR-30)' });
  }
  return errors;
}

function partyProblems(party: EInvoiceParty | undefined, at: 'seller' | 'buyer'): FieldError[] {
  if (!party || typeof party !== 'object') return [{ field: at, message: `the ${at} is required` }];
  const errors: FieldError[] = [];
  if (!present(party.name)) errors.push({ field: `${at}.name`, message: `the ${at}'s name is required (${at === 'seller' ? 'BR-06' : 'BR-07'})` });
  if (!party.address || !COUNTRY.test(party.address.country ?? '')) {
    errors.push({
      field: `${at}.address.country`,
      message: `the ${at}'s country is required as an ISO 3166-1 alpha-2 code (${at === 'seller' ? 'BR-09' : 'BR-11'})`,
    });
  }
  if (party.vatId !== undefined && !VAT_ID.test(party.vatId)) {
    errors.push({ field: `${at}.vatId`, message: 'a VAT identifier starts with its country code, e.g. ESB12345674 (BR-CO-09)' });
  }
  return errors;
}

/** The VAT-category rules that look at the parties and dates (BR-S/Z/E/AE/IC/G/O-02..04, BR-IC-11/12, BR-O-11..14). */
function categoryProblems(input: EInvoiceInput, categories: Set<VatCategory>): FieldError[] {
  const errors: FieldError[] = [];
  const sellerVat = present(input.seller?.vatId);
  const buyerVat = present(input.buyer?.vatId);
  const needsSellerVat = [...categories].filter((c) => c !== 'O');
  if (needsSellerVat.length > 0 && !sellerVat) {
    errors.push({
      field: 'seller.vatId',
      message: `VAT category ${needsSellerVat.join(', ')} needs the seller's VAT identifier (BR-${needsSellerVat[0] === 'K' ? 'IC' : needsSellerVat[0]}-02)`,
    });
  }
  if (categories.has('AE') && !buyerVat && !present(input.buyer?.legalId)) {
    errors.push({ field: 'buyer.vatId', message: "reverse charge (AE) needs the buyer's VAT identifier or legal registration id (BR-AE-02)" });
  }
  if (categories.has('K')) {
    if (!buyerVat) errors.push({ field: 'buyer.vatId', message: "an intra-Community supply (K) needs the buyer's VAT identifier (BR-IC-02)" });
    if (!input.operationDate) errors.push({ field: 'operationDate', message: 'an intra-Community supply (K) needs the delivery date (BR-IC-11)' });
  }
  if (categories.has('O')) {
    if (categories.size > 1) {
      errors.push({ field: 'lines', message: 'an invoice with category O (not subject to VAT) cannot have lines of another category (BR-O-11)' });
    }
    if (sellerVat) errors.push({ field: 'seller.vatId', message: 'category O (not subject to VAT) forbids VAT identifiers (BR-O-02)' });
    if (buyerVat) errors.push({ field: 'buyer.vatId', message: 'category O (not subject to VAT) forbids VAT identifiers (BR-O-02)' });
  }
  return errors;
}

/** Every problem of the input, or [] when the engine can build it. */
export function validateInput(input: EInvoiceInput): FieldError[] {
  const errors: FieldError[] = [];
  if (input.kind !== 'invoice' && input.kind !== 'credit_note') errors.push({ field: 'kind', message: 'kind must be invoice or credit_note' });
  if (!present(input.number)) errors.push({ field: 'number', message: 'the invoice number is required (BR-02)' });
  if (!isIsoDate(input.issueDate)) errors.push({ field: 'issueDate', message: 'the issue date must be a date as YYYY-MM-DD (BR-03)' });
  for (const key of ['dueDate', 'operationDate'] as const) {
    if (input[key] !== undefined && !isIsoDate(input[key])) errors.push({ field: key, message: `${key} must be a date as YYYY-MM-DD` });
  }
  if (!isCurrency(input.currency)) {
    errors.push({ field: 'currency', message: 'currency must be an ISO 4217 code, e.g. "EUR" (BR-05)' });
  } else if (minorUnits(input.currency) > 2) {
    errors.push({ field: 'currency', message: `EN 16931 amounts have at most 2 decimals; ${input.currency} has ${minorUnits(input.currency)}` });
  }
  errors.push(...partyProblems(input.seller, 'seller'), ...partyProblems(input.buyer, 'buyer'));
  if (input.deliveryCountry !== undefined && !COUNTRY.test(input.deliveryCountry)) {
    errors.push({ field: 'deliveryCountry', message: 'the delivery country must be an ISO 3166-1 alpha-2 code' });
  }

  const lines = Array.isArray(input.lines) ? input.lines : [];
  if (lines.length === 0) errors.push({ field: 'lines', message: 'an invoice has at least one line (BR-16)' });
  const categories = new Set<VatCategory>();
  const maxScale = isCurrency(input.currency) ? minorUnits(input.currency) : 2;
  lines.forEach((line, i) => {
    const at = `lines[${i}]`;
    if (!present(line?.name)) errors.push({ field: `${at}.name`, message: 'the item name is required (BR-25)' });
    const shape = { description: line?.name ?? '', quantity: line?.quantity, unitPrice: line?.unitPrice, taxRate: '0', discountPercent: line?.discountPercent };
    errors.push(...validateLine(shape, `${at}.`));
    if (line?.netAmount !== undefined && !isDecimalString(line.netAmount, { allowNegative: true, maxScale })) {
      errors.push({ field: `${at}.netAmount`, message: `the line net amount must be a decimal string with at most ${maxScale} decimals` });
    }
    const vatErrors = vatProblems(line?.vat, `${at}.vat`);
    errors.push(...vatErrors);
    if (vatErrors.length === 0) categories.add(line.vat.category);
    if (line?.period !== undefined) errors.push(...periodProblems(line.period, `${at}.period`));
  });

  (input.allowancesCharges ?? []).forEach((ac, i) => {
    const at = `allowancesCharges[${i}]`;
    if (!present(ac.reason) && !present(ac.reasonCode)) {
      errors.push({
        field: `${at}.reason`,
        message: `a document-level ${ac.charge ? 'charge needs a reason or reason code (BR-38)' : 'allowance needs a reason or reason code (BR-33)'}`,
      });
    }
    if (ac.amount !== undefined) {
      if (!isDecimalString(ac.amount, { maxScale }))
        errors.push({ field: `${at}.amount`, message: `the amount must be a non-negative decimal string with at most ${maxScale} decimals` });
    } else if (ac.percent === undefined || !isDecimalString(ac.percent, { maxScale: 4 })) {
      errors.push({ field: `${at}.amount`, message: 'give an amount, or a percent (of baseAmount or of the lines in its VAT category and rate)' });
    }
    if (ac.baseAmount !== undefined && !isDecimalString(ac.baseAmount, { allowNegative: true, maxScale })) {
      errors.push({ field: `${at}.baseAmount`, message: `the base amount must be a decimal string with at most ${maxScale} decimals` });
    }
    const vatErrors = vatProblems(ac.vat, `${at}.vat`);
    errors.push(...vatErrors);
    if (vatErrors.length === 0) categories.add(ac.vat.category);
  });

  (input.withholdings ?? []).forEach((w, i) => {
    const at = `withholdings[${i}]`;
    if (!present(w.label)) errors.push({ field: `${at}.label`, message: 'a withholding needs a label, e.g. "IRPF"' });
    if (!isDecimalString(w.rate, { maxScale: 4 })) errors.push({ field: `${at}.rate`, message: 'the rate must be a non-negative decimal string' });
    for (const key of ['base', 'amount'] as const) {
      if (!isDecimalString(w[key], { allowNegative: true, maxScale }))
        errors.push({ field: `${at}.${key}`, message: `${key} must be a decimal string with at most ${maxScale} decimals` });
    }
  });

  const pm = input.paymentMeans;
  if (pm) {
    const code = pm.code ?? (pm.iban ? '58' : undefined);
    if (code === undefined || !/^\d{1,3}$|^ZZZ$/.test(code))
      errors.push({ field: 'paymentMeans.code', message: 'a UNTDID 4461 payment means code, e.g. "58" (SEPA credit transfer), is required (BR-49)' });
    if (code && CREDIT_TRANSFER_CODES.has(code) && !present(pm.iban))
      errors.push({ field: 'paymentMeans.iban', message: 'a credit transfer needs the payment account (BR-61)' });
    if (present(pm.iban) && !IBAN.test(pm.iban.replace(/\s/g, ''))) errors.push({ field: 'paymentMeans.iban', message: 'not an IBAN' });
  }
  (input.precedingInvoices ?? []).forEach((p, i) => {
    if (!present(p.number)) errors.push({ field: `precedingInvoices[${i}].number`, message: 'the preceding invoice number is required (BR-55)' });
    if (p.issueDate !== undefined && !isIsoDate(p.issueDate))
      errors.push({ field: `precedingInvoices[${i}].issueDate`, message: 'must be a date as YYYY-MM-DD' });
  });

  (input.supportingDocuments ?? []).forEach((d, i) => {
    if (!present(d.id)) errors.push({ field: `supportingDocuments[${i}].id`, message: 'a supporting document needs a reference (BR-52)' });
    if (d.uri !== undefined && !/^https?:\/\/\S+$/.test(d.uri)) errors.push({ field: `supportingDocuments[${i}].uri`, message: 'must be an http(s) URL' });
  });

  if (errors.length === 0) errors.push(...categoryProblems(input, categories));
  return errors;
}
