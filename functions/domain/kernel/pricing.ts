/**
 * Invoice line amounts and totals, rounded as EN 16931 does:
 * - a line's net amount = quantity x unit price x (1 - discount / 100), rounded to the currency's minor
 *   unit once per line;
 * - VAT is computed per rate on the SUM of that rate's line net amounts and rounded once per rate
 *   (never per line and then summed);
 * - withholding (e.g. Spanish IRPF) likewise per withholding rate on the line net amounts;
 * - total = net + tax - withholding.
 */
import { RuleViolation, type FieldError } from './errors';
import { Decimal, dec, formatAmount, isCurrency, isDecimalString, roundMoney, sum } from './money';

export type LineInput = {
  productId?: string;
  description: string;
  /** Decimal string, up to 6 fractional digits; negative on credit notes. */
  quantity: string;
  /** Decimal string, up to 6 fractional digits, not negative (EN 16931 BR-27). */
  unitPrice: string;
  /** VAT rate in percent, e.g. "21", "10.5", "0". */
  taxRate: string;
  /** Line discount in percent, 0..100. */
  discountPercent?: string;
  /** Withholding rate in percent (e.g. IRPF "15"), 0..100. */
  withholdingRate?: string;
  unit?: string;
  /** Recapitulative invoices: the day of the operation this line bills (the deal won, the quote accepted), YYYY-MM-DD. */
  operationDate?: string;
  /** Recapitulative invoices: the deal or quote this line comes from. */
  sourceId?: string;
};

export type ComputedLine = LineInput & { netAmount: string };

export type RateBreakdown = {
  /** The rate in percent, normalized ("21.00" -> "21", "10.50" -> "10.5"). */
  rate: string;
  /** Sum of the net amounts of the lines at this rate. */
  base: string;
  /** base x rate / 100, rounded once. */
  amount: string;
};

export type InvoiceTotals = {
  net: string;
  tax: string;
  withholding: string;
  total: string;
  /** One entry per VAT rate (0 % included), highest rate first. */
  taxBreakdown: RateBreakdown[];
  /** One entry per non-zero withholding rate, highest rate first. */
  withholdingBreakdown: RateBreakdown[];
};

export type ComputedInvoice = { lines: ComputedLine[]; totals: InvoiceTotals };

/** Thrown when lines or currency cannot be computed; `errors` lists every problem with its JSON path. */
export class InvoiceTotalsError extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'InvoiceTotalsError';
    this.errors = errors;
  }
}

export const MAX_QUANTITY_SCALE = 6;
export const MAX_UNIT_PRICE_SCALE = 6;
export const MAX_RATE_SCALE = 4;
/** 1e15 in any currency: big enough for any real invoice, small enough to stay exact everywhere. */
const MAX_INTEGER_DIGITS = 15;

function checkPercent(value: unknown, field: string, errors: FieldError[], label: string): void {
  if (!isDecimalString(value, { maxScale: MAX_RATE_SCALE })) {
    errors.push({ field, message: `${label} must be a decimal string with at most ${MAX_RATE_SCALE} decimals` });
  } else if (dec(value).gt(100)) {
    errors.push({ field, message: `${label} must be between 0 and 100` });
  }
}

/** Every problem of one line, with fields prefixed by `prefix` (e.g. "lines[2]."). */
export function validateLine(line: LineInput, prefix = ''): FieldError[] {
  const errors: FieldError[] = [];
  if (line === null || typeof line !== 'object') {
    return [{ field: prefix.replace(/\.$/, '') || 'line', message: 'a line must be an object' }];
  }
  if (!isDecimalString(line.quantity, { allowNegative: true, maxScale: MAX_QUANTITY_SCALE, maxIntegerDigits: MAX_INTEGER_DIGITS })) {
    errors.push({
      field: `${prefix}quantity`,
      message: `quantity must be a decimal string with at most ${MAX_QUANTITY_SCALE} decimals`,
    });
  }
  if (!isDecimalString(line.unitPrice, { maxScale: MAX_UNIT_PRICE_SCALE, maxIntegerDigits: MAX_INTEGER_DIGITS })) {
    errors.push({
      field: `${prefix}unitPrice`,
      message: `unitPrice must be a non-negative decimal string with at most ${MAX_UNIT_PRICE_SCALE} decimals`,
    });
  }
  checkPercent(line.taxRate, `${prefix}taxRate`, errors, 'taxRate');
  if (line.discountPercent !== undefined) checkPercent(line.discountPercent, `${prefix}discountPercent`, errors, 'discountPercent');
  if (line.withholdingRate !== undefined) checkPercent(line.withholdingRate, `${prefix}withholdingRate`, errors, 'withholdingRate');
  return errors;
}

/** The line's net amount, unrounded: quantity x unitPrice x (1 - discount / 100). */
function rawLineNet(line: LineInput): Decimal {
  const gross = dec(line.quantity).times(dec(line.unitPrice));
  const discount = line.discountPercent === undefined ? new Decimal(0) : dec(line.discountPercent);
  return gross.times(new Decimal(100).minus(discount)).dividedBy(100);
}

/** Normalized rate string: "21.00" -> "21", "10.50" -> "10.5", "0.0" -> "0". */
function normalizeRate(rate: string): string {
  return dec(rate).toString();
}

/** The line as given, plus its net amount rounded to the currency's minor unit. Throws InvoiceTotalsError. */
export function computeLine(line: LineInput, currency: string): ComputedLine {
  const errors = [...currencyErrors(currency), ...validateLine(line)];
  if (errors.length > 0) throw new InvoiceTotalsError(errors);
  return { ...line, netAmount: formatAmount(rawLineNet(line), currency) };
}

function currencyErrors(currency: string): FieldError[] {
  return isCurrency(currency) ? [] : [{ field: 'currency', message: 'currency must be an ISO 4217 code, e.g. "EUR"' }];
}

/** Groups line nets by rate, then computes base and one rounded amount per rate, highest rate first. */
function breakdown(entries: { rate: string; net: Decimal }[], currency: string): { rows: RateBreakdown[]; amount: Decimal } {
  const groups = new Map<string, { rate: Decimal; base: Decimal }>();
  for (const { rate, net } of entries) {
    const key = normalizeRate(rate);
    const group = groups.get(key) ?? { rate: dec(rate), base: new Decimal(0) };
    group.base = group.base.plus(net);
    groups.set(key, group);
  }
  const sorted = [...groups.entries()].sort(([, a], [, b]) => b.rate.comparedTo(a.rate));
  const amounts: Decimal[] = [];
  const rows = sorted.map(([key, { rate, base }]) => {
    const amount = roundMoney(base.times(rate).dividedBy(100), currency);
    amounts.push(amount);
    return { rate: key, base: formatAmount(base, currency), amount: formatAmount(amount, currency) };
  });
  return { rows, amount: sum(amounts) };
}

/**
 * Line net amounts and invoice totals. Throws InvoiceTotalsError listing every invalid field
 * (`currency`, `lines[i].quantity`, ...). No lines gives zero totals and empty breakdowns.
 */
export function computeInvoice(lines: LineInput[], currency: string): ComputedInvoice {
  const errors = [...currencyErrors(currency), ...lines.flatMap((line, i) => validateLine(line, `lines[${i}].`))];
  if (errors.length > 0) throw new InvoiceTotalsError(errors);

  const nets = lines.map((line) => roundMoney(rawLineNet(line), currency));
  const computedLines = lines.map((line, i) => ({ ...line, netAmount: formatAmount(nets[i], currency) }));

  const net = sum(nets);
  const vat = breakdown(
    lines.map((line, i) => ({ rate: line.taxRate, net: nets[i] })),
    currency,
  );
  const withholding = breakdown(
    lines.flatMap((line, i) =>
      line.withholdingRate !== undefined && !dec(line.withholdingRate).isZero() ? [{ rate: line.withholdingRate, net: nets[i] }] : [],
    ),
    currency,
  );

  return {
    lines: computedLines,
    totals: {
      net: formatAmount(net, currency),
      tax: formatAmount(vat.amount, currency),
      withholding: formatAmount(withholding.amount, currency),
      total: formatAmount(net.plus(vat.amount).minus(withholding.amount), currency),
      taxBreakdown: vat.rows,
      withholdingBreakdown: withholding.rows,
    },
  };
}

/** Amounts a priced document (deal, quote, invoice) may hold: below 1e15 in any currency (exact everywhere, indexable). */
const MAX_AMOUNT = dec('1e15');

/**
 * Lines with their net amounts and the totals (EN 16931 rounding), or a RuleViolation (422) listing every
 * bad line field, and every amount at or above 1e15. The one pricing rule of deals, quotes and invoices:
 * what a deal or a quote may hold is what an invoice made from it may hold.
 */
export function priceLines(lines: LineInput[], currency: string): ComputedInvoice {
  let computed: ComputedInvoice;
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

/** The lines as a caller wrote them (computed amounts dropped), to price again or copy into another document. */
export function lineInputs(lines: ComputedLine[]): LineInput[] {
  return lines.map(({ netAmount: _net, ...line }) => line);
}
