/**
 * Tax identification numbers, checked where a rule exists:
 *   - Spain (country ES, or an "ES" VAT prefix): NIF, NIE and CIF with their check characters (spanish-tax-id.ts);
 *   - Russia (country RU): ИНН, 10 digits (organisations) or 12 (individuals), with its check digits;
 *   - any EU VAT number written with its country prefix ("DE123456789", "EL123456789"): that country's format.
 * Anything else (a national number of another country, a country we know no rule for) is accepted as given:
 * refusing a valid number is worse than not checking one.
 */
import { RuleViolation } from './errors';
import { parseSpanishTaxId } from './spanish-tax-id';

/** The national part of each EU VAT number, after its two-letter prefix (Greece is EL, Northern Ireland XI). */
const EU_VAT_FORMATS: Readonly<Record<string, RegExp>> = {
  AT: /^U\d{8}$/,
  BE: /^[01]\d{9}$/,
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^\d{9}$/,
  EL: /^\d{9}$/,
  ES: /^[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^\d{8}$/,
  FR: /^[A-HJ-NP-Z0-9]{2}\d{9}$/,
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/,
  IT: /^\d{11}$/,
  LT: /^(\d{9}|\d{12})$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  PL: /^\d{10}$/,
  PT: /^\d{9}$/,
  RO: /^\d{2,10}$/,
  SE: /^\d{10}01$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
  XI: /^(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/,
};

/** Upper case, without spaces, dots, dashes and slashes. */
export const compactTaxId = (taxId: string) => taxId.toUpperCase().replace(/[\s.\-/]/g, '');

/** True for a valid Russian ИНН: 10 digits (one check digit) or 12 digits (two). */
export function isValidInn(inn: string): boolean {
  if (!/^\d{10}$|^\d{12}$/.test(inn)) return false;
  const d = [...inn].map(Number);
  const check = (weights: number[]) => (weights.reduce((sum, w, i) => sum + w * d[i]!, 0) % 11) % 10;
  if (d.length === 10) return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[9];
  return check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[10] && check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[11];
}

/**
 * Why a tax id is not valid for its country, or null when it is (or when no rule applies). `country` is the
 * ISO code of the holder's address; a VAT prefix in the number itself wins over it.
 */
export function taxIdProblem(taxId: string, country?: string | null): string | null {
  const compact = compactTaxId(taxId);
  const prefix = compact.slice(0, 2);
  const prefixed = /^[A-Z]{2}/.test(compact) && Object.hasOwn(EU_VAT_FORMATS, prefix) && compact.length > 4 ? prefix : null;
  const place = prefixed ?? country?.toUpperCase() ?? null;
  if (place === 'ES') {
    return parseSpanishTaxId(compact) ? null : `"${taxId}" is not a valid Spanish NIF, NIE or CIF (its check character or its form is wrong), e.g. B12345674`;
  }
  if (!prefixed && place === 'RU') {
    return isValidInn(compact) ? null : `"${taxId}" is not a valid Russian INN (10 or 12 digits whose check digits must match), e.g. 7707083893`;
  }
  if (prefixed && !EU_VAT_FORMATS[prefixed]!.test(compact.slice(2))) {
    return `"${taxId}" is not a valid ${prefixed} VAT number (${prefixed} followed by the country's format)`;
  }
  return null;
}

/** Refuses (422, naming the field) a tax id that breaks its country's rule; nothing when there is none to check. */
export function assertValidTaxId(taxId: string | null | undefined, country: string | null | undefined, field = 'taxId'): void {
  const problem = taxId ? taxIdProblem(taxId, country) : null;
  if (problem) throw new RuleViolation(`the tax id is not valid: ${problem}`, [{ field, message: problem }]);
}
