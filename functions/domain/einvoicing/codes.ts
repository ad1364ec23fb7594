/**
 * Code lists the e-invoice engine uses: EU member states (VAT id prefixes), UN/ECE Recommendation 20
 * unit codes for the units people type, and the standard exemption reasons of the zero-VAT categories.
 */
import type { VatCategory } from './model';

/** EU member states by ISO 3166-1 alpha-2 code (Greece is GR here; its VAT prefix is EL). */
export const EU_COUNTRIES: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
]);

export function isEuCountry(country: string | undefined): boolean {
  return country !== undefined && EU_COUNTRIES.has(country.toUpperCase());
}

/** The VAT identifier prefix of an EU country ("EL" for Greece), per VIES. */
export function vatPrefix(country: string): string {
  const code = country.toUpperCase();
  return code === 'GR' ? 'EL' : code;
}

/**
 * The VAT identifier of an EU party: the tax id as written, upper-cased without spaces, dots or dashes,
 * prefixed with the country's VAT prefix unless it already has one. Null outside the EU, where a tax
 * number is not a VAT identifier (BR-CO-09 wants the ISO prefix; carry it as a legal id instead).
 */
export function euVatId(taxId: string | undefined, country: string | undefined): string | null {
  if (!taxId || !isEuCountry(country)) return null;
  const compact = taxId.toUpperCase().replace(/[\s.\-/]/g, '');
  if (compact === '') return null;
  const prefix = vatPrefix(country!);
  return compact.startsWith(prefix) ? compact : `${prefix}${compact}`;
}

/** UN/ECE Rec 20 codes we emit, with the words people use for them (any case, singular or plural). */
const UNIT_WORDS: Record<string, string[]> = {
  C62: ['unit', 'units', 'u', 'ud', 'uds', 'unidad', 'unidades', 'one'],
  H87: ['piece', 'pieces', 'pc', 'pcs', 'item', 'items', 'ea', 'each', 'pieza', 'piezas'],
  HUR: ['h', 'hr', 'hrs', 'hour', 'hours', 'hora', 'horas'],
  MIN: ['min', 'mins', 'minute', 'minutes', 'minuto', 'minutos'],
  DAY: ['d', 'day', 'days', 'dia', 'dias', 'día', 'días'],
  WEE: ['wk', 'week', 'weeks', 'semana', 'semanas'],
  MON: ['mo', 'month', 'months', 'mes', 'meses'],
  ANN: ['yr', 'year', 'years', 'año', 'años'],
  KGM: ['kg', 'kilogram', 'kilograms', 'kilo', 'kilos'],
  GRM: ['g', 'gram', 'grams', 'gramo', 'gramos'],
  TNE: ['t', 'tonne', 'tonnes', 'ton', 'tons'],
  LTR: ['l', 'litre', 'litres', 'liter', 'liters', 'litro', 'litros'],
  MTR: ['m', 'metre', 'metres', 'meter', 'meters', 'metro', 'metros'],
  KMT: ['km', 'kilometre', 'kilometres', 'kilometer', 'kilometers'],
  MTK: ['m2', 'm²', 'sqm'],
  MTQ: ['m3', 'm³'],
  KWH: ['kwh'],
  SET: ['set', 'sets'],
  LS: ['lump sum', 'flat'],
};

const UNIT_CODES = new Map<string, string>();
for (const [code, words] of Object.entries(UNIT_WORDS)) {
  UNIT_CODES.set(code.toLowerCase(), code);
  for (const word of words) UNIT_CODES.set(word, code);
}

/** The Rec 20 code of a unit as people type it ("hours" -> HUR, "HUR" -> HUR); "C62" (one) for anything unknown. */
export function unitCode(unit: string | undefined): string {
  if (!unit) return 'C62';
  return UNIT_CODES.get(unit.trim().toLowerCase()) ?? 'C62';
}

/** True for a unit code this engine emits (known to be in Rec 20). */
export function isKnownUnitCode(code: string): boolean {
  return Object.hasOwn(UNIT_WORDS, code);
}

/** The standard reason of a zero-VAT category (BT-120 text, BT-121 VATEX code); E has none: the law behind it varies. */
export const DEFAULT_EXEMPTION: Partial<Record<VatCategory, { reason: string; code: string }>> = {
  AE: { reason: 'Reverse charge', code: 'VATEX-EU-AE' },
  K: { reason: 'Intra-Community supply', code: 'VATEX-EU-IC' },
  G: { reason: 'Export outside the EU', code: 'VATEX-EU-G' },
  O: { reason: 'Not subject to VAT', code: 'VATEX-EU-O' },
};

/** Payment means codes (UNTDID 4461) that need a payment account (BR-61). */
export const CREDIT_TRANSFER_CODES: ReadonlySet<string> = new Set(['30', '58']);
