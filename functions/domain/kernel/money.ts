/**
 * Money: decimal arithmetic, ISO 4217 minor units and the one place where amounts are rounded.
 *
 * Amounts and quantities travel as decimal strings ("1210.00") and are computed with decimal.js,
 * never with binary floats. This module owns a private Decimal constructor (a clone of decimal.js) so
 * that no other code can change its precision or rounding mode by touching the global one.
 */
import DecimalJs from 'decimal.js';

/**
 * The project's Decimal constructor: 40 significant digits (amounts up to 1e15 with 12 fractional digits
 * of intermediate results stay exact), half-up rounding, and plain (never exponential) string output.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type Decimal = DecimalJs;

/** Anything `dec` accepts. */
export type DecimalInput = string | number | DecimalJs;

const ZERO_DECIMAL_CURRENCIES = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'UYI',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const THREE_DECIMAL_CURRENCIES = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
const FOUR_DECIMAL_CURRENCIES = new Set(['CLF', 'UYW']);

/** Active ISO 4217 codes (funds and precious metals excluded, except the few with their own minor units). */
const ISO_4217 = new Set([
  'AED',
  'AFN',
  'ALL',
  'AMD',
  'ANG',
  'AOA',
  'ARS',
  'AUD',
  'AWG',
  'AZN',
  'BAM',
  'BBD',
  'BDT',
  'BGN',
  'BHD',
  'BIF',
  'BMD',
  'BND',
  'BOB',
  'BRL',
  'BSD',
  'BTN',
  'BWP',
  'BYN',
  'BZD',
  'CAD',
  'CDF',
  'CHF',
  'CLF',
  'CLP',
  'CNY',
  'COP',
  'CRC',
  'CUP',
  'CVE',
  'CZK',
  'DJF',
  'DKK',
  'DOP',
  'DZD',
  'EGP',
  'ERN',
  'ETB',
  'EUR',
  'FJD',
  'FKP',
  'GBP',
  'GEL',
  'GHS',
  'GIP',
  'GMD',
  'GNF',
  'GTQ',
  'GYD',
  'HKD',
  'HNL',
  'HTG',
  'HUF',
  'IDR',
  'ILS',
  'INR',
  'IQD',
  'IRR',
  'ISK',
  'JMD',
  'JOD',
  'JPY',
  'KES',
  'KGS',
  'KHR',
  'KMF',
  'KPW',
  'KRW',
  'KWD',
  'KYD',
  'KZT',
  'LAK',
  'LBP',
  'LKR',
  'LRD',
  'LSL',
  'LYD',
  'MAD',
  'MDL',
  'MGA',
  'MKD',
  'MMK',
  'MNT',
  'MOP',
  'MRU',
  'MUR',
  'MVR',
  'MWK',
  'MXN',
  'MYR',
  'MZN',
  'NAD',
  'NGN',
  'NIO',
  'NOK',
  'NPR',
  'NZD',
  'OMR',
  'PAB',
  'PEN',
  'PGK',
  'PHP',
  'PKR',
  'PLN',
  'PYG',
  'QAR',
  'RON',
  'RSD',
  'RUB',
  'RWF',
  'SAR',
  'SBD',
  'SCR',
  'SDG',
  'SEK',
  'SGD',
  'SHP',
  'SLE',
  'SOS',
  'SRD',
  'SSP',
  'STN',
  'SVC',
  'SYP',
  'SZL',
  'THB',
  'TJS',
  'TMT',
  'TND',
  'TOP',
  'TRY',
  'TTD',
  'TWD',
  'TZS',
  'UAH',
  'UGX',
  'USD',
  'UYI',
  'UYU',
  'UYW',
  'UZS',
  'VED',
  'VES',
  'VND',
  'VUV',
  'WST',
  'XAF',
  'XCD',
  'XCG',
  'XOF',
  'XPF',
  'YER',
  'ZAR',
  'ZMW',
  'ZWG',
]);

/** True for a known ISO 4217 currency code, upper case as the standard writes it ("EUR", not "eur"). */
export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && ISO_4217.has(code);
}

/**
 * Number of minor-unit digits of a currency (ISO 4217 exponent): 0 for JPY, KRW..., 3 for KWD, BHD...,
 * 4 for CLF/UYW, 2 for every other code (unknown codes included: validate with `isCurrency` at the edge).
 */
export function minorUnits(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL_CURRENCIES.has(code)) return 0;
  if (THREE_DECIMAL_CURRENCIES.has(code)) return 3;
  if (FOUR_DECIMAL_CURRENCIES.has(code)) return 4;
  return 2;
}

/** Decimal notation only: no hex/binary/octal prefixes, no NaN or Infinity, no spaces. */
const DECIMAL_NOTATION = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A Decimal of the project's constructor. Accepts strings in decimal notation ("12.50", "-3", "1e3"),
 * finite numbers (converted through their shortest round-trip string, so `dec(0.1)` is exactly 0.1) and
 * Decimals of any decimal.js constructor. Throws a RangeError for anything else (NaN, Infinity, "0x10", "").
 */
export function dec(value: DecimalInput): Decimal {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`not a finite number: ${value}`);
  }
  if (typeof value === 'string' && !DECIMAL_NOTATION.test(value)) {
    throw new RangeError(`not a decimal number: ${JSON.stringify(value)}`);
  }
  let result: Decimal;
  try {
    result = new Decimal(value);
  } catch {
    throw new RangeError(`not a decimal number: ${JSON.stringify(value)}`);
  }
  if (!result.isFinite()) throw new RangeError(`not a finite number: ${JSON.stringify(String(value))}`);
  return result;
}

/** Rounds to the currency's minor unit, half away from zero (2.675 -> 2.68, -0.005 -> -0.01). */
export function roundMoney(value: DecimalInput, currency: string): Decimal {
  const rounded = dec(value).toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_UP);
  return rounded.isZero() ? new Decimal(0) : rounded; // never a negative zero
}

/** The amount as a plain string with exactly the currency's minor digits: "1210.00", "1210" (JPY), "1.500" (KWD). */
export function formatAmount(value: DecimalInput, currency: string): string {
  return roundMoney(value, currency).toFixed(minorUnits(currency));
}

export type DecimalStringOptions = {
  /** Most digits allowed after the point (0 = integers only). Unlimited when absent. */
  maxScale?: number;
  /** Accept a leading minus sign. Default false. */
  allowNegative?: boolean;
  /** Most digits allowed before the point. Unlimited when absent. */
  maxIntegerDigits?: number;
};

const DECIMAL_STRING = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * True for a plain decimal string as the API carries money and quantities: digits, an optional
 * fractional part, an optional minus sign when allowed. No exponent, no '+', no thousands separators,
 * no surrounding spaces, no bare ".5" or "5.".
 */
export function isDecimalString(s: unknown, options: DecimalStringOptions = {}): s is string {
  if (typeof s !== 'string') return false;
  const match = DECIMAL_STRING.exec(s);
  if (!match) return false;
  const [, sign, integer, fraction = ''] = match;
  if (sign && !options.allowNegative) return false;
  if (options.maxScale !== undefined && fraction.length > options.maxScale) return false;
  if (options.maxIntegerDigits !== undefined && integer.replace(/^0+(?=\d)/, '').length > options.maxIntegerDigits) {
    return false;
  }
  return true;
}

/** Exact sum of the values (0 for none). */
export function sum(values: Iterable<DecimalInput>): Decimal {
  let total = new Decimal(0);
  for (const value of values) total = total.plus(dec(value));
  return total;
}
