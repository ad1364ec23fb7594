/**
 * Locale-aware formatting of document values: money, decimals, percentages and dates, exact from the
 * decimal strings the domain keeps (Intl.NumberFormat formats a numeric *string* without going through a
 * binary float). Pure: used by the PDF templates' helpers and by the public quote page alike.
 */
import { documentLocale, type DocumentLocale } from './print-model';

/** Intl locale used for numbers and dates when the model locale names no region. */
const INTL_LOCALES: Record<DocumentLocale, string> = { en: 'en-GB', es: 'es-ES', ru: 'ru-RU', ro: 'ro-RO' };

/** The BCP 47 locale for Intl: the model's own when it has a supported language and a region, else ours. */
export function intlLocale(locale: string | null | undefined): string {
  const lang = documentLocale(locale);
  if (locale && /^[a-z]{2}[-_][A-Za-z]{2}$/.test(locale) && locale.slice(0, 2).toLowerCase() === lang) {
    try {
      return Intl.getCanonicalLocales(locale.replace('_', '-'))[0] ?? INTL_LOCALES[lang];
    } catch {
      return INTL_LOCALES[lang];
    }
  }
  return INTL_LOCALES[lang];
}

const DECIMAL = /^[-+]?\d+(\.\d+)?$/;

function fractionDigits(value: string): number {
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.length - dot - 1;
}

function asDecimalString(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return DECIMAL.test(trimmed) ? trimmed : null;
}

/** True for a decimal (string or number) equal to zero: "0.00", "-0", 0. */
export function isZeroDecimal(value: unknown): boolean {
  const decimal = asDecimalString(value);
  return decimal !== null && /^[-+]?0*(\.0*)?$/.test(decimal);
}

const formatterCache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let formatter = formatterCache.get(key) as Intl.NumberFormat | undefined;
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, options);
    formatterCache.set(key, formatter);
  }
  return formatter;
}

/**
 * A currency amount. Intl.NumberFormat formats a decimal *string* exactly (no binary float on the way):
 * the fraction shows at least the currency's minor units and every further digit the string has.
 */
export function formatMoney(amount: unknown, currency: string, locale: string): string {
  const value = asDecimalString(amount);
  if (value === null) return amount == null ? '' : String(amount);
  let minimum: number;
  try {
    minimum = numberFormat(locale, { style: 'currency', currency }).resolvedOptions().minimumFractionDigits ?? 2;
  } catch {
    // Not a currency Intl knows: the number and the code.
    return `${formatNumber(value, locale)} ${currency}`;
  }
  const digits = Math.min(Math.max(minimum, fractionDigits(value)), 20);
  return numberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: minimum,
    maximumFractionDigits: digits,
  }).format(value as Intl.StringNumericLiteral);
}

/** A decimal (a quantity): every digit the string has, none added. */
export function formatNumber(amount: unknown, locale: string): string {
  const value = asDecimalString(amount);
  if (value === null) return amount == null ? '' : String(amount);
  return numberFormat(locale, { maximumFractionDigits: Math.min(fractionDigits(value), 20) }).format(value as Intl.StringNumericLiteral);
}

/** A percentage given in percent ("21" -> "21%" in en, "21 %" in es/ru/ro). */
export function formatPercent(rate: unknown, locale: string): string {
  const value = asDecimalString(rate);
  if (value === null) return rate == null ? '' : String(rate);
  return numberFormat(locale, {
    style: 'unit',
    unit: 'percent',
    maximumFractionDigits: Math.min(fractionDigits(value), 20),
  }).format(value as Intl.StringNumericLiteral);
}

/** A calendar date (`YYYY-MM-DD`, or an ISO instant, read in UTC): "22 Nov 2026". */
export function formatDate(iso: unknown, locale: string): string {
  if (typeof iso !== 'string' || iso === '') return iso == null ? '' : String(iso);
  const date = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T00:00:00Z`) : new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const key = `d|${locale}`;
  let formatter = formatterCache.get(key) as Intl.DateTimeFormat | undefined;
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    formatterCache.set(key, formatter);
  }
  return formatter.format(date);
}
