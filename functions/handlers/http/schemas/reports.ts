import * as z from 'zod';
import { isoDate } from './common';

/** Reports and exports (docs/openapi.json). Amounts are decimal strings with a dot, dates ISO. */

const Money = z.string().describe('A decimal string with a dot, e.g. "121.00"');
const csvOptions = {
  separator: z.enum([',', ';']).optional().describe('CSV field separator: "," (default) or ";" for spreadsheets in comma-decimal locales'),
  bom: z.enum(['true', 'false']).optional().describe('CSV: start with a UTF-8 byte order mark (for spreadsheet programs)'),
};

export const PeriodQuery = z.strictObject({
  from: isoDate.describe('First day of the period (inclusive), YYYY-MM-DD'),
  to: isoDate.describe('Last day of the period (inclusive), YYYY-MM-DD; at most 5 years after from'),
});

export const SalesLedgerQuery = PeriodQuery.extend({
  format: z.enum(['json', 'csv', 'xlsx']).default('json').describe('json, csv (AEAT common format column order) or xlsx'),
  ...csvOptions,
});

/** The JSON reports also take `format=json` (the only format they have). */
export const SummaryQuery = PeriodQuery.extend({ format: z.enum(['json']).optional() });

export const VatQuery = PeriodQuery.extend({
  format: z.enum(['json']).optional(),
  basis: z.enum(['accrual', 'cash']).default('accrual').describe('accrual: by issue date; cash: by payment date, VAT prorated to what was paid'),
});

export const AgingQuery = z.strictObject({
  asOf: isoDate.optional().describe('The day the balances are rebuilt for (default today); past days are rebuilt from the records'),
  buckets: z.string().max(60).optional().describe('Bucket limits in days past due, increasing, comma separated (default 30,60,90,120)'),
  format: z.enum(['json', 'csv', 'pdf']).default('json'),
  ...csvOptions,
});

export const SalesLedgerRowView = z.object({
  invoiceId: z.string(),
  type: z.string(),
  series: z.string(),
  number: z.string(),
  issueDate: z.string(),
  operationDate: z.string(),
  fiscalType: z.string().describe('AEAT TipoFactura: F1, F2, R1..R5'),
  correctedNumber: z.string().nullable(),
  clientTaxId: z.string().nullable(),
  clientName: z.string().nullable(),
  country: z.string().nullable(),
  currency: z.string(),
  base: Money,
  vatRate: z.string(),
  vatAmount: Money,
  withholdingRate: z.string(),
  withholdingAmount: Money,
  total: Money.describe('base + VAT - withholding of this row'),
  invoiceTotal: Money.describe("the document's net + VAT, on each of its rows"),
});

export const SalesLedgerView = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(SalesLedgerRowView),
  totals: z.array(z.object({ currency: z.string(), documents: z.number(), base: Money, vatAmount: Money, withholdingAmount: Money, total: Money })),
});

export const VatView = z.object({
  from: z.string(),
  to: z.string(),
  basis: z.enum(['accrual', 'cash']),
  rates: z.array(z.object({ currency: z.string(), vatRate: z.string(), base: Money, vatAmount: Money, withholdingAmount: Money })),
  totals: z.array(z.object({ currency: z.string(), base: Money, vatAmount: Money, withholdingAmount: Money })),
});

const AgingLineView = z.object({
  clientId: z.string(),
  clientName: z.string().nullable(),
  currency: z.string(),
  buckets: z.record(z.string(), Money),
  total: Money,
  unappliedCredit: Money,
  net: Money.describe('total - unappliedCredit'),
});

export const AgingView = z.object({
  asOf: z.string(),
  buckets: z.array(z.string()),
  clients: z.array(AgingLineView),
  totals: z.array(AgingLineView.omit({ clientId: true, clientName: true })),
  invoices: z.array(
    z.object({
      invoiceId: z.string(),
      number: z.string().nullable(),
      clientId: z.string(),
      currency: z.string(),
      issueDate: z.string(),
      dueDate: z.string().nullable(),
      daysPastDue: z.number(),
      bucket: z.string(),
      balanceDue: Money,
    }),
  ),
});

export const SummaryView = z.object({
  from: z.string(),
  to: z.string(),
  byStage: z.array(z.object({ currency: z.string(), stage: z.string(), count: z.number(), amount: Money })),
  byPaymentStatus: z.array(
    z.object({ currency: z.string(), paymentStatus: z.enum(['unpaid', 'partially_paid', 'paid']), count: z.number(), amount: Money, balanceDue: Money }),
  ),
  dso: z.array(
    z.object({
      currency: z.string(),
      receivables: Money,
      sales: Money,
      days: z.number(),
      dso: z.string().nullable().describe('receivables / sales x days, one decimal; null without sales'),
    }),
  ),
});

export const ForecastQuery = z.strictObject({
  months: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 12')
    .optional()
    .describe('How many months from the current one (1 to 12, default 6)'),
  format: z.enum(['json', 'pdf']).default('json'),
});

export const ForecastView = z.object({
  asOf: z.string(),
  months: z.array(z.string()),
  rows: z.array(
    z.object({
      month: z.string(),
      currency: z.string(),
      recurring: Money,
      openInvoices: Money,
      weightedDeals: Money,
      billing: Money.describe('Expected billing: recurring + weighted deals'),
      collections: Money.describe('Expected collections: open invoices by due date'),
      total: Money,
    }),
  ),
  overdue: z.array(z.object({ currency: z.string(), amount: Money })),
  stageProbabilities: z.record(z.string(), z.number()),
});

export const InvoiceExportQuery = PeriodQuery.extend({
  format: z.enum(['csv', 'xlsx']).default('csv'),
  ...csvOptions,
});

export const JournalQuery = PeriodQuery.extend({
  format: z.enum(['csv', 'xlsx', 'json']).default('csv'),
  ...csvOptions,
});

const JournalLineView = z.object({ account: z.string(), debit: Money, credit: Money });
export const JournalView = z.object({
  from: z.string(),
  to: z.string(),
  accounts: z.object({ receivable: z.string(), revenue: z.string(), vat: z.string(), withholding: z.string(), bank: z.string() }),
  entries: z.array(
    z.object({
      entry: z.number(),
      date: z.string(),
      kind: z.enum(['invoice', 'credit_note', 'payment', 'refund']),
      reference: z.string(),
      description: z.string(),
      currency: z.string(),
      lines: z.array(JournalLineView),
    }),
  ),
});

export const ExportCreate = z.strictObject({
  report: z
    .enum(['sales-ledger', 'invoices', 'journal', 'vat', 'aging', 'summary', 'forecast'])
    .describe('The report to build: sales-ledger, invoices, journal, aging (csv, xlsx or json); vat, summary, forecast (json)'),
  params: z
    .record(z.string(), z.union([z.string().max(100), z.number().transform(String)]))
    .optional()
    .describe("The report's query parameters: from and to; asOf and buckets for aging; basis for vat; months for forecast"),
  format: z.enum(['csv', 'xlsx', 'json']).optional().describe('csv (default for tables) , xlsx or json'),
});

export const ExportJobView = z.object({
  id: z.string(),
  report: z.string(),
  params: z.record(z.string(), z.string()),
  format: z.enum(['csv', 'xlsx', 'json']),
  status: z.enum(['pending', 'done', 'failed']),
  url: z.string().nullable().describe('When done: a presigned GET URL of the file, valid for minutes'),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
