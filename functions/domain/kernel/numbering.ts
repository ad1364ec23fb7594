/**
 * Document number formats, e.g. 'INV-{YYYY}-{000000}' -> 'INV-2026-000042'.
 *
 * Tokens: {YYYY} (4-digit year), {YY} (2-digit year), {MM} (2-digit month), {SERIES} (the series name as
 * given) and exactly one counter {0...0}, whose count of zeros is the minimum width (zero-padded; a larger
 * number is printed in full, never truncated). The counter resets per period: per month when the format
 * has {MM}, per year when it has a year token, never otherwise. Literal text is free, braces are not.
 */

export const DEFAULT_INVOICE_FORMAT = 'INV-{YYYY}-{000000}';
export const DEFAULT_PROFORMA_FORMAT = 'PRO-{YYYY}-{000000}';
export const DEFAULT_CREDIT_NOTE_FORMAT = 'CN-{YYYY}-{000000}';
export const DEFAULT_SIMPLIFIED_FORMAT = 'FS-{YYYY}-{000000}';
export const DEFAULT_QUOTE_FORMAT = 'QUO-{YYYY}-{000000}';

/** Default format per series. */
export const DEFAULT_NUMBER_FORMATS: Readonly<Record<string, string>> = Object.freeze({
  invoice: DEFAULT_INVOICE_FORMAT,
  proforma: DEFAULT_PROFORMA_FORMAT,
  credit_note: DEFAULT_CREDIT_NOTE_FORMAT,
  simplified: DEFAULT_SIMPLIFIED_FORMAT,
  quote: DEFAULT_QUOTE_FORMAT,
});

/** The default format of a series; the invoice format for a series without its own default. */
export function defaultNumberFormat(series: string): string {
  return Object.hasOwn(DEFAULT_NUMBER_FORMATS, series) ? DEFAULT_NUMBER_FORMATS[series] : DEFAULT_INVOICE_FORMAT;
}

export const MAX_FORMAT_LENGTH = 64;
export const MAX_COUNTER_WIDTH = 12;

type Token = { type: 'text'; value: string } | { type: 'year4' | 'year2' | 'month' | 'series' } | { type: 'counter'; width: number };

type Parsed = { tokens: Token[] } | { error: string };

function parse(format: string): Parsed {
  const tokens: Token[] = [];
  let rest = format;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    const close = rest.indexOf('}');
    if (close !== -1 && (open === -1 || close < open)) return { error: 'unmatched "}" in the format' };
    if (open === -1) {
      tokens.push({ type: 'text', value: rest });
      break;
    }
    if (open > 0) tokens.push({ type: 'text', value: rest.slice(0, open) });
    if (close === -1) return { error: 'unmatched "{" in the format' };
    const name = rest.slice(open + 1, close);
    if (name === 'YYYY') tokens.push({ type: 'year4' });
    else if (name === 'YY') tokens.push({ type: 'year2' });
    else if (name === 'MM') tokens.push({ type: 'month' });
    else if (name === 'SERIES') tokens.push({ type: 'series' });
    else if (/^0+$/.test(name)) tokens.push({ type: 'counter', width: name.length });
    else return { error: `unknown token {${name}}; use {YYYY}, {YY}, {MM}, {SERIES} or a counter like {000000}` };
    rest = rest.slice(close + 1);
  }
  return { tokens };
}

function parseValid(format: string): Token[] {
  const error = validateNumberFormat(format);
  if (error !== null) throw new RangeError(`invalid number format ${JSON.stringify(format)}: ${error}`);
  return (parse(format) as { tokens: Token[] }).tokens;
}

/** Null when the format is usable, else why not. */
export function validateNumberFormat(format: string): string | null {
  if (typeof format !== 'string' || format.length === 0) return 'the format must be a non-empty string';
  if (format.length > MAX_FORMAT_LENGTH) return `the format must be at most ${MAX_FORMAT_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(format)) return 'the format must not contain control characters';
  const parsed = parse(format);
  if ('error' in parsed) return parsed.error;
  const counters = parsed.tokens.filter((t) => t.type === 'counter');
  if (counters.length !== 1) {
    return `the format must contain exactly one counter token like {000000}, found ${counters.length}`;
  }
  const { width } = counters[0] as { width: number };
  if (width > MAX_COUNTER_WIDTH) return `the counter must be at most ${MAX_COUNTER_WIDTH} digits wide`;
  const types = new Set(parsed.tokens.map((t) => t.type));
  if (types.has('month') && !types.has('year4') && !types.has('year2')) {
    // The counter restarts every month; without the year, January 2027 would repeat January 2026's numbers.
    return 'a format with {MM} must also contain {YYYY} or {YY}, or numbers would repeat every year';
  }
  return null;
}

const ISSUE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseIssueDate(issueDate: string): { year: string; month: string } {
  const match = typeof issueDate === 'string' ? ISSUE_DATE.exec(issueDate) : null;
  if (match) {
    const [, year, month, day] = match;
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    if (date.getUTCFullYear() === Number(year) && date.getUTCMonth() + 1 === Number(month) && date.getUTCDate() === Number(day)) {
      return { year, month };
    }
  }
  throw new RangeError(`invalid issue date ${JSON.stringify(issueDate)}: expected an existing date as YYYY-MM-DD`);
}

/**
 * The period the counter runs in for this issue date: 'YYYY-MM' when the format has {MM}, 'YYYY' when it
 * has {YYYY} or {YY}, 'all' otherwise. Counters are kept per tenant, series and period.
 */
export function counterPeriod(format: string, issueDate: string): string {
  const types = new Set(parseValid(format).map((t) => t.type));
  const { year, month } = parseIssueDate(issueDate);
  if (types.has('month')) return `${year}-${month}`;
  if (types.has('year4') || types.has('year2')) return year;
  return 'all';
}

/** The document number (invoice, quote...) for counter value `seq` (a positive integer). Not locale formatting (documents/locale-format.ts). */
export function formatDocumentNumber(format: string, seq: number, issueDate: string, series: string): string {
  const tokens = parseValid(format);
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`invalid counter value ${seq}: expected a positive integer`);
  const { year, month } = parseIssueDate(issueDate);
  return tokens
    .map((token) => {
      switch (token.type) {
        case 'text':
          return token.value;
        case 'year4':
          return year;
        case 'year2':
          return year.slice(2);
        case 'month':
          return month;
        case 'series':
          return series;
        case 'counter':
          return String(seq).padStart(token.width, '0');
      }
    })
    .join('');
}
