/**
 * Text normalization for search keys and duplicate matching (names, e-mails, phones).
 */
import { onFirstUse } from './first-use';
import type { CountryCode } from 'libphonenumber-js/max';

/** Latin letters that carry no combining mark to strip, folded by hand (after lower-casing). */
const LETTER_FOLDS: Readonly<Record<string, string>> = Object.freeze({
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ħ: 'h',
  ı: 'i',
  þ: 'th',
});
const LETTER_FOLD_PATTERN = new RegExp(`[${Object.keys(LETTER_FOLDS).join('')}]`, 'g');

/**
 * A search key: lower case, accents stripped, compatibility forms folded (full-width 'Ａ' -> 'a',
 * 'ﬁ' -> 'fi'), whitespace collapsed to single spaces and trimmed.
 * 'Ñandú  S.L.' -> 'nandu s.l.', 'Ёлка' -> 'елка', 'Straße' -> 'strasse'.
 *
 * Only the combining diacritical marks (U+0300-U+036F) are stripped and the result is recomposed (NFC),
 * so scripts whose marks are part of the letter keep them: 'ガ' stays 'ガ', Devanagari vowel signs stay.
 */
export function normalizeForSearch(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .replace(LETTER_FOLD_PATTERN, (letter) => LETTER_FOLDS[letter])
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * Phone numbers: libphonenumber-js with its `max` metadata, the smallest set that validates the digits of every
 * kind of number per country (`min` only checks lengths; `mobile` refuses landlines, which companies have).
 * It ships in the shared Lambda layer (infra/constructs/deps-layer.ts), not in each bundle, and loads on the
 * first phone checked: its metadata takes ~25 ms to load, which every cold start of the client functions paid
 * before, phone or not (`npm run bench`, cold start).
 */
const phones = onFirstUse<typeof import('libphonenumber-js/max')>('libphonenumber-js/max');
const PHONE_CHARACTERS = /^[+0-9 ()./\-\u00a0]+$/;

/** A default country given as ISO 3166 alpha-2 ('ES', 'es') or as a calling code ('34', '+34'). */
function defaultRegion(country: string | undefined): { defaultCountry?: CountryCode; defaultCallingCode?: string } | null {
  if (country === undefined) return {};
  const key = country.trim().toUpperCase();
  if (phones().isSupportedCountry(key)) return { defaultCountry: key };
  const code = key.replace(/^\+/, '');
  return /^[1-9]\d{0,2}$/.test(code) ? { defaultCallingCode: code } : null;
}

/**
 * The phone number in E.164 ('+34600123456'), or null when it is not a valid number of its country.
 *
 * Spaces, dashes, dots, slashes and parentheses are allowed; '00' or '+' starts an international number.
 * A national number (no '+'/'00') is read in `defaultCountry`, an ISO 3166 alpha-2 code ('ES', 'GB') or a calling
 * code ('34', '+34'), dropping its trunk prefix ('07911 123456' in GB -> '+447911123456'). Without
 * `defaultCountry`, bare digits are read as already international ('34600123456'). Letters, extensions and other
 * symbols, and numbers that are not valid in their country (too short, no such range), give null.
 */
export function toE164(phone: string, defaultCountry?: string): string | null {
  if (typeof phone !== 'string' || !PHONE_CHARACTERS.test(phone)) return null;
  const compact = phone.replace(/[\s\-./()\u00a0]/g, '');
  if (!/^(\+|00)?\d+$/.test(compact)) return null;
  const region = defaultRegion(defaultCountry);
  if (!region) return null;
  const international = compact.startsWith('+') || compact.startsWith('00') || (!region.defaultCountry && !region.defaultCallingCode);
  const text = international ? `+${compact.replace(/^(\+|00)/, '')}` : compact;
  const parsed = phones().parsePhoneNumberFromString(text, international ? {} : region);
  return parsed?.isValid() ? parsed.number : null;
}

/** Why a phone cannot be used, as a field message; null when it is a valid number (toE164 gives it). */
export function phoneProblem(phone: string, defaultCountry?: string): string | null {
  if (toE164(phone, defaultCountry)) return null;
  const compact = phone.replace(/[\s\-./()\u00a0]/g, '');
  if (/^\d+$/.test(compact) && !defaultCountry) return 'give the number with its country code, e.g. +34 600 123 456';
  return defaultCountry && !/^(\+|00)/.test(compact)
    ? `is not a valid phone number in ${defaultCountry.toUpperCase()}`
    : 'is not a valid phone number (check the country code and the number of digits)';
}

/** The e-mail address trimmed and lower-cased, the form used to store and match addresses. */
export function normalizeEmail(e: string): string {
  return e.trim().toLowerCase();
}
