/**
 * The AEAT formats of register values: the Madrid timestamp, dd-mm-aaaa dates, amounts with two decimals,
 * and the limits of an invoice number (NumSerieFactura).
 */
import { formatDocumentNumber, MAX_COUNTER_WIDTH } from '../kernel';

/** Made on first use: building a formatter of a named time zone loads ICU's zone data (~10 ms at import otherwise). */
let madridClock: Intl.DateTimeFormat | undefined;
const newMadridClock = () =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Madrid',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  });

/**
 * FechaHoraHusoGenRegistro: the instant in Europe/Madrid wall-clock time with its offset, +01:00 in winter
 * and +02:00 in summer (never a fixed offset), to the second: "2026-07-01T12:00:00+02:00".
 */
export function madridTimestamp(instant: Date): string {
  madridClock ??= newMadridClock();
  const parts = Object.fromEntries(madridClock.formatToParts(instant).map((p) => [p.type, p.value]));
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : parts.timeZoneName.replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

/** The instant of a FechaHoraHusoGenRegistro, or null when it is not in that format. */
export function parseTimestamp(value: string): Date | null {
  if (!TIMESTAMP.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** FechaExpedicionFactura: "2026-03-02" -> "02-03-2026". */
export function aeatDate(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(isoDate)}`);
  return `${match[3]}-${match[2]}-${match[1]}`;
}

/** An AEAT amount: a point, exactly two decimals, up to 12 integer digits, a minus sign when negative. */
export const AEAT_AMOUNT = /^-?\d{1,12}\.\d{2}$/;

/** Longest NumSerieFactura the AEAT accepts. */
export const MAX_NUM_SERIE_LENGTH = 60;
const FORBIDDEN_IN_NUMBER = /["'<>=]/;

/**
 * Why an invoice number cannot be a NumSerieFactura, or null when it can: 1 to 60 printable ASCII
 * characters (32-126), no leading or trailing space (AEAT errors 1104/1130), none of " ' < > = (1287).
 */
export function numSerieFacturaProblem(value: string): string | null {
  if (typeof value !== 'string' || value.length === 0) return 'the invoice number is empty';
  if (value.length > MAX_NUM_SERIE_LENGTH) return `the invoice number has ${value.length} characters; the register allows at most ${MAX_NUM_SERIE_LENGTH}`;
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code < 32 || code > 126) return `the invoice number may only use printable ASCII characters: ${JSON.stringify(char)} is not one`;
  }
  if (value !== value.trim()) return 'the invoice number must not start or end with a space';
  const forbidden = FORBIDDEN_IN_NUMBER.exec(value);
  if (forbidden) return `the invoice number must not contain ${forbidden[0]} (nor any of " ' < > =)`;
  return null;
}

/** Counter digits assumed when checking a format: numbers up to 999,999,999 per period (or the format's width, if wider). */
const CHECKED_COUNTER_DIGITS = 9;

/**
 * For the numbering settings: why numbers made by this format (a valid one, see numbering.ts) could not be
 * registered, or null. Checks the widest number the format makes (year 2099, month 12, a counter of at
 * least 9 digits), so that a format is refused when saved, not when an invoice is issued.
 */
export function numberFormatRegisterProblem(format: string, series: string): string | null {
  const widths = [...format.matchAll(/\{(0+)\}/g)].map((m) => m[1].length);
  const digits = Math.min(Math.max(CHECKED_COUNTER_DIGITS, ...widths), MAX_COUNTER_WIDTH);
  const widest = formatDocumentNumber(format, Number('9'.repeat(digits)), '2099-12-31', series);
  const problem = numSerieFacturaProblem(widest);
  return problem === null
    ? null
    : `numbers of this format cannot go to the invoice register (e.g. ${JSON.stringify(widest)}): ${problem.replace('the invoice number', 'the number')}`;
}
