/**
 * Reporting: reports and exports over the records of the other areas (invoices, the payments ledger), pure
 * functions given the records and the day (model.ts says what reconciles with what); the verbs read through
 * the stores' indexes.
 *
 *   Reports.salesLedger / vat / aging          (verbs: ports + query)
 *   SalesLedger.salesLedger / rowsOf, Vat.accrualVat / cashVat, Aging.aging   (pure)
 *   Csv.toCsv, Tables.salesLedgerTable / invoiceExportTable
 */
export * as Reports from './reports';
export * as SalesLedger from './sales-ledger';
export * as Vat from './vat';
export * as Aging from './aging';
export * as Csv from './csv';
export * as Journal from './journal';
export * as Summary from './summary';
export * as Forecasting from './forecast';
export * as Tables from './tables';
export * as ReportPeriod from './period';
export type { ReportingPorts, ReportInvoice } from './model';
export type { SalesLedgerRow, SalesLedgerTotals } from './sales-ledger';
export type { VatBasis, VatSummary } from './vat';
export type { AgingReport } from './aging';
export type { StatusSummary } from './summary';
export type { Forecast, OpenDeal, PlannedAmount, RecurringPlan } from './forecast';
export type { CsvOptions } from './csv';
export type { JournalAccounts, JournalEntry } from './journal';
export type { Table } from './tables';
