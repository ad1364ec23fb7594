/**
 * Reading a bank statement CSV as banks write them (pure). The traps it handles:
 * - separator `,` or `;` (or tab), found from the header line outside quotes unless the mapping says;
 * - quoted fields with separators, quotes and line breaks inside (csv-parse does the quoting), a UTF-8 BOM;
 * - decimal `.` or `,`, thousands separators (`1.234,56`, `1,234.56`), found per file from the amounts;
 * - signed amounts, or debit/credit columns (amount = credit - debit), parentheses as minus;
 * - headers in English or Spanish (`Fecha`, `Importe`, `Concepto`, `Debe`/`Haber`, `Cargo`/`Abono`...),
 *   matched case- and accent-insensitively, unless `mapping` names the columns;
 * - dates as YYYY-MM-DD, DD/MM/YYYY (also with - or .), or MM/DD/YYYY when the mapping says so.
 */
import { parse } from 'csv-parse/sync';
import { dec, normalizeForSearch, type FieldError } from '../kernel';

export interface StatementMapping {
  date?: string;
  amount?: string;
  debit?: string;
  credit?: string;
  reference?: string | string[];
  payerName?: string;
  iban?: string;
  currency?: string;
  delimiter?: ',' | ';' | '\t';
  decimal?: '.' | ',';
  dateFormat?: 'YYYY-MM-DD' | 'DD/MM/YYYY' | 'MM/DD/YYYY';
}

export interface StatementRow {
  /** 1-based number of the data row (the header is row 0). */
  row: number;
  /** YYYY-MM-DD, or null when unreadable. */
  date: string | null;
  /** Signed decimal string (credit positive), or null when unreadable. */
  amount: string | null;
  /** The text columns joined (" | "): where invoice numbers are looked for. */
  reference: string;
  payerName: string | null;
  iban: string | null;
  currency: string | null;
  /** Why the row cannot be read, when it cannot. */
  problem?: string;
}

const HEADERS: Record<'date' | 'amount' | 'debit' | 'credit' | 'reference' | 'payerName' | 'iban' | 'currency', string[]> = {
  date: ['fecha', 'fecha valor', 'fecha operacion', 'f. valor', 'f. operacion', 'date', 'value date', 'booking date', 'transaction date', 'data'],
  amount: ['importe', 'amount', 'cantidad', 'monto', 'valor', 'importe (eur)', 'suma'],
  debit: ['debe', 'cargo', 'cargos', 'debit', 'debito', 'withdrawal', 'withdrawals', 'paid out'],
  credit: ['haber', 'abono', 'abonos', 'credit', 'credito', 'deposit', 'deposits', 'paid in'],
  reference: [
    'concepto',
    'concept',
    'descripcion',
    'description',
    'referencia',
    'reference',
    'observaciones',
    'detalle',
    'details',
    'memo',
    'remittance information',
    'informacion adicional',
    'texto',
  ],
  payerName: ['ordenante', 'nombre ordenante', 'payer', 'payer name', 'nombre', 'name', 'remitente', 'counterparty', 'beneficiario', 'contrapartida'],
  iban: ['iban', 'iban ordenante', 'cuenta ordenante', 'payer iban', 'counterparty iban', 'account', 'cuenta'],
  currency: ['divisa', 'moneda', 'currency'],
};

const headerKey = (h: string) => normalizeForSearch(h.replace(/^\uFEFF/, '')).replace(/\s*:$/, '');

/** The separator of the header line: the most frequent of ; , and tab outside quotes. */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  const best = (Object.entries(counts) as [',' | ';' | '\t', number][]).sort((a, b) => b[1] - a[1])[0];
  return best[1] > 0 ? best[0] : ',';
}

/** The decimal mark of a file's amounts: the last of . or , followed by 1-2 digits at the end, by majority. */
export function detectDecimal(values: string[]): '.' | ',' {
  let comma = 0;
  let dot = 0;
  for (const raw of values) {
    const v = raw.trim();
    if (/,\d{1,2}\)?$/.test(v)) comma++;
    else if (/\.\d{1,2}\)?$/.test(v)) dot++;
    else if (/\d\.\d{3},/.test(v)) comma++;
    else if (/\d,\d{3}\./.test(v)) dot++;
  }
  return comma > dot ? ',' : '.';
}

/** A bank amount as a signed decimal string, or null ("1.234,56" with ","; "(12.00)" is -12.00; "+5" is 5). */
export function parseAmount(raw: string, decimal: '.' | ','): string | null {
  let v = raw
    .trim()
    .replace(/[\s\u00a0'€$£]/g, '')
    .replace(/(EUR|USD|GBP)$/i, '');
  if (!v) return null;
  let negative = false;
  if (/^\(.*\)$/.test(v)) {
    negative = true;
    v = v.slice(1, -1);
  }
  if (v.endsWith('-')) {
    negative = true;
    v = v.slice(0, -1);
  }
  if (v.startsWith('-')) {
    negative = !negative;
    v = v.slice(1);
  } else if (v.startsWith('+')) v = v.slice(1);
  const thousands = decimal === ',' ? '.' : ',';
  v = v.split(thousands).join('');
  if (decimal === ',') v = v.replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(v)) return null;
  const value = dec(v);
  return (negative && !value.isZero() ? value.negated() : value).toString();
}

/** A statement date as YYYY-MM-DD, or null. */
export function parseDate(raw: string, format: StatementMapping['dateFormat']): string | null {
  const v = raw.trim();
  let y: string;
  let m: string;
  let d: string;
  const iso = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/.exec(v);
  const dmy = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$/.exec(v);
  if (iso && format !== 'DD/MM/YYYY' && format !== 'MM/DD/YYYY') [, y, m, d] = iso;
  else if (dmy && format !== 'YYYY-MM-DD') {
    [, d, m, y] = dmy;
    if (format === 'MM/DD/YYYY') [d, m] = [m, d];
    if (y.length === 2) y = `20${y}`;
  } else return null;
  const date = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date ? date : null;
}

interface Columns {
  date: number;
  amount: number;
  debit: number;
  credit: number;
  reference: number[];
  payerName: number;
  iban: number;
  currency: number;
}

function resolveColumns(header: string[], mapping: StatementMapping): { columns: Columns; errors: FieldError[] } {
  const keys = header.map(headerKey);
  const errors: FieldError[] = [];
  const named = (name: string | undefined, field: string): number | undefined => {
    if (name === undefined) return undefined;
    const at = keys.indexOf(headerKey(name));
    if (at < 0) errors.push({ field: `mapping.${field}`, message: `no column "${name}" in the header (${header.join(', ')})` });
    return at;
  };
  const find = (kind: keyof typeof HEADERS) => {
    for (const candidate of HEADERS[kind]) {
      const at = keys.indexOf(candidate);
      if (at >= 0) return at;
    }
    return -1;
  };
  const references = mapping.reference === undefined ? undefined : Array.isArray(mapping.reference) ? mapping.reference : [mapping.reference];
  const columns: Columns = {
    date: named(mapping.date, 'date') ?? find('date'),
    amount: named(mapping.amount, 'amount') ?? find('amount'),
    debit: named(mapping.debit, 'debit') ?? find('debit'),
    credit: named(mapping.credit, 'credit') ?? find('credit'),
    reference: references
      ? references.map((r, i) => named(r, `reference[${i}]`) ?? -1)
      : HEADERS.reference.map((h) => keys.indexOf(h)).filter((i, n, all) => i >= 0 && all.indexOf(i) === n),
    payerName: named(mapping.payerName, 'payerName') ?? find('payerName'),
    iban: named(mapping.iban, 'iban') ?? find('iban'),
    currency: named(mapping.currency, 'currency') ?? find('currency'),
  };
  if (columns.date < 0 && !mapping.date) errors.push({ field: 'csv', message: `no date column (a header such as Fecha or Date; found ${header.join(', ')})` });
  if (columns.amount < 0 && columns.credit < 0 && !mapping.amount) {
    errors.push({ field: 'csv', message: `no amount column (Importe, Amount, or Debe/Haber, Debit/Credit; found ${header.join(', ')})` });
  }
  return { columns, errors };
}

/** The statement's rows, or the problems that make it unreadable as a whole (field-level). */
export function readStatement(text: string, mapping: StatementMapping = {}): { rows: StatementRow[]; errors: FieldError[] } {
  const delimiter = mapping.delimiter ?? detectDelimiter(text.replace(/^\uFEFF/, ''));
  let records: string[][];
  try {
    records = parse(text, { delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    return { rows: [], errors: [{ field: 'csv', message: `not readable as CSV: ${(error as Error).message}` }] };
  }
  if (records.length < 1) return { rows: [], errors: [{ field: 'csv', message: 'the statement is empty' }] };
  const [header, ...data] = records;
  const { columns, errors } = resolveColumns(header, mapping);
  if (errors.length > 0) return { rows: [], errors };
  const cell = (r: string[], i: number) => (i >= 0 ? (r[i] ?? '').trim() : '');
  const amountCells = data.flatMap((r) => [cell(r, columns.amount), cell(r, columns.debit), cell(r, columns.credit)].filter(Boolean));
  const decimal = mapping.decimal ?? detectDecimal(amountCells);
  const rows = data.map((r, i): StatementRow => {
    const date = parseDate(cell(r, columns.date), mapping.dateFormat);
    let amount: string | null;
    if (columns.amount >= 0 && cell(r, columns.amount)) amount = parseAmount(cell(r, columns.amount), decimal);
    else {
      const credit = cell(r, columns.credit) ? parseAmount(cell(r, columns.credit), decimal) : '0';
      const debit = cell(r, columns.debit) ? parseAmount(cell(r, columns.debit), decimal) : '0';
      amount = credit === null || debit === null ? null : dec(credit).minus(dec(debit).abs()).toString();
    }
    const reference = columns.reference
      .map((c) => cell(r, c))
      .filter(Boolean)
      .join(' | ');
    const iban = cell(r, columns.iban).replace(/\s+/g, '').toUpperCase() || null;
    const problem = date === null ? `unreadable date "${cell(r, columns.date)}"` : amount === null ? 'unreadable amount' : undefined;
    return {
      row: i + 1,
      date,
      amount,
      reference,
      payerName: cell(r, columns.payerName) || null,
      iban,
      currency: cell(r, columns.currency).toUpperCase() || null,
      ...(problem ? { problem } : {}),
    };
  });
  return { rows, errors: [] };
}
