/** Reports as downloads: CSV (RFC 4180, `;` and a BOM on request) and XLSX, with a file name. */
import { Csv, type Table } from '../../domain/reporting';
import { RawResponse } from '../../shared/http/route';
import { xlsxOf } from '../../shared/wiring/reporting';

export interface CsvQuery {
  separator?: ',' | ';';
  bom?: 'true' | 'false';
}

const download = (filename: string) => ({ 'content-disposition': `attachment; filename="${filename}"`, 'cache-control': 'no-store' });

export function csvResponse(table: Table, name: string, options: CsvQuery): RawResponse {
  return new RawResponse({
    statusCode: 200,
    headers: { 'content-type': 'text/csv; charset=utf-8', ...download(`${name}.csv`) },
    body: Csv.toCsv(table.header, table.rows, { separator: options.separator, bom: options.bom === 'true' }),
  });
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function xlsxResponse(table: Table, name: string): RawResponse {
  return new RawResponse({
    statusCode: 200,
    headers: { 'content-type': XLSX_TYPE, ...download(`${name}.xlsx`) },
    body: xlsxOf(table).toString('base64'),
    isBase64Encoded: true,
  });
}

/** The table in the format asked for (csv or xlsx). */
export function tableResponse(table: Table, name: string, query: CsvQuery & { format?: string }): RawResponse {
  return query.format === 'xlsx' ? xlsxResponse(table, name) : csvResponse(table, name, query);
}
