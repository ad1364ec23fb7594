/**
 * The sales ledger (libro registro de facturas expedidas): one row per document per VAT rate, from the
 * documents' own breakdowns (never recomputed): the bases and VAT of the rows of a document are its
 * `totals.taxBreakdown`, and the withholding of its rows adds up to its `totals.withholding`.
 */
import { Invoice } from '../invoicing';
import { dec, formatAmount, sum } from '../kernel';
import { type ReportInvoice, inReports } from './model';

export interface SalesLedgerRow {
  invoiceId: string;
  type: string;
  series: string;
  number: string;
  issueDate: string;
  operationDate: string;
  /** AEAT TipoFactura: F1 invoice, F2 simplified, R1..R5 corrective. */
  fiscalType: string;
  correctedNumber: string | null;
  clientTaxId: string | null;
  clientName: string | null;
  country: string | null;
  currency: string;
  base: string;
  vatRate: string;
  vatAmount: string;
  withholdingRate: string;
  withholdingAmount: string;
  /** base + VAT - withholding of this row: the rows of a document add up to what it asks to be paid. */
  total: string;
  /** The document's tax-inclusive total (net + VAT), repeated on each of its rows (AEAT "Total Factura"). */
  invoiceTotal: string;
}

export interface SalesLedgerTotals {
  currency: string;
  documents: number;
  base: string;
  vatAmount: string;
  withholdingAmount: string;
  total: string;
}

export interface SalesLedger {
  from: string;
  to: string;
  rows: SalesLedgerRow[];
  /** One per currency. */
  totals: SalesLedgerTotals[];
}

export function fiscalTypeOf(invoice: ReportInvoice): string {
  return invoice.fiscalType ?? Invoice.fiscalTypeOf(invoice) ?? (invoice.type === 'credit_note' ? 'R1' : 'F1');
}

export function correctedNumberOf(invoice: ReportInvoice): string | null {
  const numbers = (invoice.corrects ?? []).map((c) => c.number).filter(Boolean);
  return numbers.length > 0 ? numbers.join(', ') : null;
}

/** The document's rows: per VAT rate; withholding of the lines at that rate, the rounding rest on the first row. */
export function rowsOf(invoice: ReportInvoice): SalesLedgerRow[] {
  const { currency, totals } = invoice;
  const breakdown = totals.taxBreakdown.length > 0 ? totals.taxBreakdown : [{ rate: '0', base: totals.net, amount: totals.tax }];
  const withholding = breakdown.map((b) => {
    const lines = invoice.lines.filter((l) => dec(l.taxRate).eq(b.rate) && l.withholdingRate && !dec(l.withholdingRate).isZero());
    const rates = [...new Set(lines.map((l) => dec(l.withholdingRate!).toString()))].sort((x, y) => dec(y).comparedTo(x));
    const amount = sum(lines.map((l) => dec(l.netAmount).times(l.withholdingRate!).div(100)));
    return { rate: rates[0] ?? '0', amount: dec(formatAmount(amount, currency)) };
  });
  const rest = dec(totals.withholding).minus(sum(withholding.map((w) => w.amount)));
  if (!rest.isZero()) withholding[0] = { ...withholding[0], amount: withholding[0].amount.plus(rest) };
  const invoiceTotal = formatAmount(dec(totals.net).plus(totals.tax), currency);
  const client = invoice.client;
  return breakdown.map((b, i) => ({
    invoiceId: invoice.id,
    type: invoice.type,
    series: invoice.series,
    number: invoice.number ?? '',
    issueDate: invoice.issueDate ?? '',
    operationDate: invoice.operationDate ?? invoice.issueDate ?? '',
    fiscalType: fiscalTypeOf(invoice),
    correctedNumber: correctedNumberOf(invoice),
    clientTaxId: client?.taxId ?? null,
    clientName: client?.legalName ?? client?.name ?? null,
    country: client?.address?.country ?? null,
    currency,
    base: formatAmount(b.base, currency),
    vatRate: b.rate,
    vatAmount: formatAmount(b.amount, currency),
    withholdingRate: withholding[i].rate,
    withholdingAmount: formatAmount(withholding[i].amount, currency),
    total: formatAmount(dec(b.base).plus(b.amount).minus(withholding[i].amount), currency),
    invoiceTotal,
  }));
}

const byIssue = (a: ReportInvoice, b: ReportInvoice) =>
  (a.issueDate ?? '').localeCompare(b.issueDate ?? '') || (a.number ?? '').localeCompare(b.number ?? '') || a.id.localeCompare(b.id);

/** The ledger of the documents issued from `from` to `to` (inclusive), in issue order. */
export function salesLedger(invoices: ReportInvoice[], period: { from: string; to: string }): SalesLedger {
  const docs = invoices.filter((i) => inReports(i) && i.issueDate! >= period.from && i.issueDate! <= period.to).sort(byIssue);
  const rows = docs.flatMap(rowsOf);
  return { from: period.from, to: period.to, rows, totals: totalsOf(rows) };
}

export function totalsOf(rows: SalesLedgerRow[]): SalesLedgerTotals[] {
  const byCurrency = new Map<string, SalesLedgerRow[]>();
  for (const row of rows) byCurrency.set(row.currency, [...(byCurrency.get(row.currency) ?? []), row]);
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, list]) => ({
      currency,
      documents: new Set(list.map((r) => r.invoiceId)).size,
      base: formatAmount(sum(list.map((r) => r.base)), currency),
      vatAmount: formatAmount(sum(list.map((r) => r.vatAmount)), currency),
      withholdingAmount: formatAmount(sum(list.map((r) => r.withholdingAmount)), currency),
      total: formatAmount(sum(list.map((r) => r.total)), currency),
    }));
}
