/**
 * Reports as tables (header + rows of cells), the one shape the CSV and XLSX writers take.
 */
import { dec, formatAmount } from '../kernel';
import type { Cell } from './csv';
import type { SalesLedger, SalesLedgerRow } from './sales-ledger';

export interface Table {
  name: string;
  header: string[];
  rows: Cell[][];
  /** Columns written as numbers in a spreadsheet (the others stay text: tax ids, codes, numbers of documents). */
  numeric?: string[];
}

const quarter = (date: string) => `${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}T`;

/** The columns of the AEAT common electronic format for the book of issued invoices (EXPEDIDAS), in order. */
export const AEAT_COLUMNS = [
  'Autoliquidación Ejercicio',
  'Autoliquidación Periodo',
  'Actividad Código',
  'Actividad Tipo',
  'Actividad Grupo o Epígrafe del IAE',
  'Tipo de Factura',
  'Concepto de Ingreso',
  'Ingreso Computable',
  'Fecha Expedición',
  'Fecha Operación',
  'Identificación de la Factura Serie',
  'Identificación de la Factura Número',
  'Identificación de la Factura Número-Final',
  'NIF Destinatario Tipo',
  'NIF Destinatario Código País',
  'NIF Destinatario Identificación',
  'Nombre Destinatario',
  'Clave de Operación',
  'Calificación de la Operación',
  'Operación Exenta',
  'Total Factura',
  'Base Imponible',
  'Tipo de IVA',
  'Cuota IVA Repercutida',
  'Tipo de Recargo eq.',
  'Cuota Recargo eq.',
  'Cobro Fecha',
  'Cobro Importe',
  'Cobro Medio Utilizado',
  'Cobro Identificación Medio Utilizado',
  'Tipo Retención del IRPF',
  'Importe Retenido del IRPF',
  'Registro Acuerdo Facturación',
  'Inmueble Situación',
  'Inmueble Referencia Catastral',
  'Referencia Externa',
] as const;

function aeatRow(r: SalesLedgerRow): Cell[] {
  const foreign = !!r.country && r.country !== 'ES';
  const taxed = Number(r.vatRate) > 0;
  return [
    r.issueDate.slice(0, 4),
    quarter(r.issueDate),
    '',
    '',
    '',
    r.fiscalType,
    '',
    r.base,
    r.issueDate,
    r.operationDate === r.issueDate ? '' : r.operationDate,
    r.series,
    r.number,
    '',
    foreign ? '02' : '',
    foreign ? r.country : '',
    r.clientTaxId,
    r.clientName,
    '01',
    taxed ? 'S1' : 'N1',
    '',
    r.invoiceTotal,
    r.base,
    r.vatRate,
    r.vatAmount,
    '',
    '',
    '',
    '',
    '',
    '',
    Number(r.withholdingRate) > 0 ? r.withholdingRate : '',
    Number(r.withholdingRate) > 0 ? r.withholdingAmount : '',
    '',
    '',
    '',
    r.invoiceId,
  ];
}

/** The sales ledger in the AEAT common format's column order (sheet EXPEDIDAS). */
export function salesLedgerTable(ledger: SalesLedger): Table {
  return {
    name: 'EXPEDIDAS',
    header: [...AEAT_COLUMNS],
    rows: ledger.rows.map(aeatRow),
    numeric: [
      'Ingreso Computable',
      'Total Factura',
      'Base Imponible',
      'Tipo de IVA',
      'Cuota IVA Repercutida',
      'Tipo Retención del IRPF',
      'Importe Retenido del IRPF',
    ],
  };
}

/** The fixed columns of the generic invoices export: one row per invoice and VAT rate. */
export const INVOICE_EXPORT_COLUMNS = [
  'series',
  'number',
  'issueDate',
  'operationDate',
  'type',
  'correctedNumber',
  'clientTaxId',
  'clientName',
  'country',
  'base',
  'vatRate',
  'vatAmount',
  'reRate',
  'reAmount',
  'irpfRate',
  'irpfAmount',
  'total',
  'payable',
  'currency',
  'status',
] as const;

export function invoiceExportTable(ledger: SalesLedger, statusOf: (invoiceId: string) => string): Table {
  return {
    name: 'invoices',
    header: [...INVOICE_EXPORT_COLUMNS],
    numeric: ['base', 'vatRate', 'vatAmount', 'reRate', 'reAmount', 'irpfRate', 'irpfAmount', 'total', 'payable'],
    rows: ledger.rows.map((r) => [
      r.series,
      r.number,
      r.issueDate,
      r.operationDate,
      r.fiscalType,
      r.correctedNumber,
      r.clientTaxId,
      r.clientName,
      r.country,
      r.base,
      r.vatRate,
      r.vatAmount,
      '0',
      '0',
      r.withholdingRate,
      r.withholdingAmount,
      formatAmount(dec(r.base).plus(r.vatAmount), r.currency),
      r.total,
      r.currency,
      statusOf(r.invoiceId),
    ]),
  };
}
