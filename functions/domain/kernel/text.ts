/**
 * Text normalization for search keys and duplicate matching (names, e-mails, phones).
 */

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

/** Calling code and national trunk prefix of common countries (ISO 3166 alpha-2). */
const COUNTRIES: Readonly<Record<string, { code: string; trunk: string }>> = Object.freeze({
  AR: { code: '54', trunk: '0' },
  AT: { code: '43', trunk: '0' },
  AU: { code: '61', trunk: '0' },
  BE: { code: '32', trunk: '0' },
  BG: { code: '359', trunk: '0' },
  BR: { code: '55', trunk: '0' },
  CA: { code: '1', trunk: '1' },
  CH: { code: '41', trunk: '0' },
  CL: { code: '56', trunk: '' },
  CN: { code: '86', trunk: '0' },
  CO: { code: '57', trunk: '' },
  CZ: { code: '420', trunk: '' },
  DE: { code: '49', trunk: '0' },
  DK: { code: '45', trunk: '' },
  EE: { code: '372', trunk: '' },
  ES: { code: '34', trunk: '' },
  FI: { code: '358', trunk: '0' },
  FR: { code: '33', trunk: '0' },
  GB: { code: '44', trunk: '0' },
  GR: { code: '30', trunk: '' },
  HR: { code: '385', trunk: '0' },
  HU: { code: '36', trunk: '06' },
  IE: { code: '353', trunk: '0' },
  IL: { code: '972', trunk: '0' },
  IN: { code: '91', trunk: '0' },
  IT: { code: '39', trunk: '' },
  JP: { code: '81', trunk: '0' },
  KR: { code: '82', trunk: '0' },
  KZ: { code: '7', trunk: '8' },
  LT: { code: '370', trunk: '8' },
  LU: { code: '352', trunk: '' },
  LV: { code: '371', trunk: '' },
  MX: { code: '52', trunk: '' },
  NL: { code: '31', trunk: '0' },
  NO: { code: '47', trunk: '' },
  NZ: { code: '64', trunk: '0' },
  PL: { code: '48', trunk: '' },
  PT: { code: '351', trunk: '' },
  RO: { code: '40', trunk: '0' },
  RS: { code: '381', trunk: '0' },
  RU: { code: '7', trunk: '8' },
  SE: { code: '46', trunk: '0' },
  SI: { code: '386', trunk: '0' },
  SK: { code: '421', trunk: '0' },
  TR: { code: '90', trunk: '0' },
  UA: { code: '380', trunk: '0' },
  US: { code: '1', trunk: '1' },
  ZA: { code: '27', trunk: '0' },
});

/**
 * The phone number in E.164 ('+34600123456'), or null when it cannot be one.
 *
 * Spaces, dashes, dots, slashes and parentheses are dropped; '00' or '+' starts an international number.
 * A national number (no '+'/'00') needs `defaultCountry`, an ISO 3166 alpha-2 code from the table above
 * ('ES', 'GB') or a calling code ('34', '+34'); its trunk prefix is dropped ('07911 123456' in GB ->
 * '+447911123456'). Without `defaultCountry`, bare digits are read as already international ('34600123456').
 * The result must have 8 to 15 digits and a country code not starting with 0. Letters, extensions and
 * other symbols make it null.
 */
export function toE164(phone: string, defaultCountry?: string): string | null {
  if (typeof phone !== 'string') return null;
  const compact = phone.replace(/[\s\-./()\u00a0]/g, '');
  let international: string;
  if (/^\+\d+$/.test(compact)) {
    international = compact.slice(1);
  } else if (/^00\d+$/.test(compact)) {
    international = compact.slice(2);
  } else if (/^\d+$/.test(compact)) {
    if (defaultCountry === undefined) {
      international = compact;
    } else {
      const country = resolveCountry(defaultCountry);
      if (!country) return null;
      const national = country.trunk && compact.startsWith(country.trunk) ? compact.slice(country.trunk.length) : compact;
      international = country.code + national;
    }
  } else {
    return null;
  }
  if (!/^[1-9]\d{7,14}$/.test(international)) return null;
  return `+${international}`;
}

function resolveCountry(country: string): { code: string; trunk: string } | null {
  const key = country.trim().toUpperCase();
  if (Object.hasOwn(COUNTRIES, key)) return COUNTRIES[key];
  const code = key.replace(/^\+/, '');
  return /^[1-9]\d{0,2}$/.test(code) ? { code, trunk: '' } : null;
}

/** The e-mail address trimmed and lower-cased, the form used to store and match addresses. */
export function normalizeEmail(e: string): string {
  return e.trim().toLowerCase();
}
