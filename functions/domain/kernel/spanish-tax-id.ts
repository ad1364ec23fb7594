/**
 * Spanish tax identification numbers (NIF): their kinds and check characters.
 *
 * - DNI (Spanish citizens): 8 digits + a check letter, the number mod 23 indexing TRWAGMYFPDXBNJZSQVHLCKE.
 * - NIE (foreigners): X, Y or Z (read as 0, 1, 2) + 7 digits + the same check letter.
 * - K, L, M (minors, non-residents, foreigners without NIE): the letter + 7 digits + the DNI check letter
 *   of the 7 digits.
 * - CIF (legal entities): an organisation letter + 7 digits + a check character computed from the digits
 *   (Luhn-like): a digit for A, B, E, H (and anything but the letters below, either form is accepted), a
 *   letter (JABCDEFGHI) for P, Q, R, S, W and N (public bodies, foreign entities, non-residents).
 *
 * Input is normalized (upper case; spaces, dots, dashes dropped; an "ES" VAT prefix removed) so that
 * "es-b12345674", "B-12.345.674" and "B12345674" are the same NIF.
 */

export type SpanishTaxIdKind = 'DNI' | 'NIE' | 'KLM' | 'CIF';

export interface SpanishTaxId {
  kind: SpanishTaxIdKind;
  /** The NIF as the tax agency writes it: 9 characters, upper case, no prefix ("B12345674"). */
  value: string;
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
const CIF_CONTROL_LETTERS = 'JABCDEFGHI';
const CIF_ORGANISATIONS = 'ABCDEFGHJNPQRSUVW';
/** Organisations whose CIF ends in a letter; A, B, E, H end in a digit; the rest may use either. */
const CIF_LETTER_ONLY = 'NPQRSW';
const CIF_DIGIT_ONLY = 'ABEH';

/** Upper case, no spaces, dots, dashes or slashes, no leading "ES". */
export function normalizeSpanishTaxId(input: string): string {
  const compact = input.toUpperCase().replace(/[\s.\-/]/g, '');
  return compact.length === 11 && compact.startsWith('ES') ? compact.slice(2) : compact;
}

const dniLetter = (n: number) => DNI_LETTERS[n % 23];

function cifControl(digits: string): { digit: string; letter: string } {
  let total = 0;
  for (let i = 0; i < 7; i++) {
    const d = Number(digits[i]);
    if (i % 2 === 0) {
      const doubled = d * 2;
      total += Math.floor(doubled / 10) + (doubled % 10);
    } else {
      total += d;
    }
  }
  const control = (10 - (total % 10)) % 10;
  return { digit: String(control), letter: CIF_CONTROL_LETTERS[control] };
}

/** The NIF's kind and normalized value, or null when it is not a valid Spanish NIF (format or check character). */
export function parseSpanishTaxId(input: string | null | undefined): SpanishTaxId | null {
  if (typeof input !== 'string') return null;
  const value = normalizeSpanishTaxId(input);
  if (value.length !== 9) return null;

  let match = /^(\d{8})([A-Z])$/.exec(value);
  if (match) return dniLetter(Number(match[1])) === match[2] ? { kind: 'DNI', value } : null;

  match = /^([XYZ])(\d{7})([A-Z])$/.exec(value);
  if (match) {
    const number = Number(`${'XYZ'.indexOf(match[1])}${match[2]}`);
    return dniLetter(number) === match[3] ? { kind: 'NIE', value } : null;
  }

  match = /^([KLM])(\d{7})([A-Z])$/.exec(value);
  if (match) return dniLetter(Number(match[2])) === match[3] ? { kind: 'KLM', value } : null;

  match = /^([A-Z])(\d{7})([0-9A-J])$/.exec(value);
  if (match && CIF_ORGANISATIONS.includes(match[1])) {
    const [, organisation, digits, check] = match;
    const control = cifControl(digits);
    const byLetter = check === control.letter;
    const byDigit = check === control.digit;
    if (CIF_LETTER_ONLY.includes(organisation)) return byLetter ? { kind: 'CIF', value } : null;
    if (CIF_DIGIT_ONLY.includes(organisation)) return byDigit ? { kind: 'CIF', value } : null;
    return byLetter || byDigit ? { kind: 'CIF', value } : null;
  }
  return null;
}

export function isValidSpanishTaxId(input: string | null | undefined): boolean {
  return parseSpanishTaxId(input) !== null;
}
