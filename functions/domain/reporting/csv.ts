/**
 * CSV as RFC 4180 says: fields with the separator, a quote, CR or LF are quoted, quotes doubled, records end
 * with CRLF. Options for spreadsheet users: `;` as the separator, a UTF-8 byte order mark.
 */
export interface CsvOptions {
  separator?: ',' | ';';
  bom?: boolean;
}

export type Cell = string | number | null | undefined;

export function csvField(value: Cell, separator: string): string {
  const text = value === null || value === undefined ? '' : String(value);
  return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: string[], rows: Cell[][], options: CsvOptions = {}): string {
  const sep = options.separator ?? ',';
  const lines = [header, ...rows].map((r) => r.map((c) => csvField(c, sep)).join(sep));
  return `${options.bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
}
