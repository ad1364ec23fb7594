/**
 * The report verbs: read what a report needs through the ports (indexes only), then the pure functions.
 * Reads take `{ tenantId, ... }`; `asOf` defaults to today by the ports' clock.
 */
import { DEFAULT_PIPELINES, today } from '../kernel';
import { type Forecast, forecast as forecastOf, monthCount, monthsFrom } from './forecast';
import { type Journal, type JournalAccounts, journal as journalOf } from './journal';
import { type StatusSummary, statusSummary } from './summary';
import { type Table, invoiceExportTable } from './tables';
import { aging as agingOf, bucketLimits, type AgingReport } from './aging';
import { invoicesByIds, issuedBetween, paymentsBetween } from './load';
import { type ReportingPorts, nowOf } from './model';
import { checkDay, period } from './period';
import { type SalesLedger, salesLedger as ledgerOf } from './sales-ledger';
import { type VatBasis, type VatSummary, accrualVat, cashVat, invoiceIdsOf } from './vat';

const EPOCH = '0000-01-01';

export async function salesLedger(ports: ReportingPorts, query: { tenantId: string; from?: string; to?: string }): Promise<SalesLedger> {
  const p = period(query);
  return ledgerOf(await issuedBetween(ports, query.tenantId, p.from, p.to), p);
}

export async function vat(ports: ReportingPorts, query: { tenantId: string; from?: string; to?: string; basis?: VatBasis }): Promise<VatSummary> {
  const p = period(query);
  if ((query.basis ?? 'accrual') === 'accrual') return accrualVat(await issuedBetween(ports, query.tenantId, p.from, p.to), p);
  const records = await ports.ledger.recordsBetween(query.tenantId, p.from, p.to);
  return cashVat(records, await invoicesByIds(ports, query.tenantId, invoiceIdsOf(records)), p);
}

export async function aging(ports: ReportingPorts, query: { tenantId: string; asOf?: string; buckets?: string }): Promise<AgingReport> {
  const asOf = checkDay(query.asOf, 'asOf', today(nowOf(ports)));
  const limits = bucketLimits(query.buckets);
  const [invoices, records, payments] = await Promise.all([
    issuedBetween(ports, query.tenantId, EPOCH, asOf),
    ports.ledger.recordsBetween(query.tenantId, EPOCH, asOf),
    paymentsBetween(ports, query.tenantId, EPOCH, asOf),
  ]);
  return agingOf({ asOf, limits, invoices, records, payments });
}

export async function summary(ports: ReportingPorts, query: { tenantId: string; from?: string; to?: string }): Promise<StatusSummary> {
  const p = period(query);
  const [invoices, records] = await Promise.all([issuedBetween(ports, query.tenantId, EPOCH, p.to), ports.ledger.recordsBetween(query.tenantId, EPOCH, p.to)]);
  return statusSummary({ ...p, invoices, records });
}

export async function forecast(ports: ReportingPorts, query: { tenantId: string; months?: string | number }): Promise<Forecast> {
  const months = monthCount(query.months);
  const asOf = today(nowOf(ports));
  const [invoices, records, deals, dealPipeline, recurring] = await Promise.all([
    issuedBetween(ports, query.tenantId, EPOCH, asOf),
    ports.ledger.recordsBetween(query.tenantId, EPOCH, asOf),
    ports.openDeals ? ports.openDeals(query.tenantId) : [],
    ports.dealPipeline ? ports.dealPipeline(query.tenantId) : DEFAULT_PIPELINES.deal,
    ports.recurring ? ports.recurring.plannedByMonth(query.tenantId, monthsFrom(asOf, months)) : [],
  ]);
  return forecastOf({ asOf, months, invoices, records, deals, dealPipeline, recurring });
}

/** The invoices export: one row per invoice and VAT rate of the documents issued in the period. */
export async function invoiceExport(ports: ReportingPorts, query: { tenantId: string; from?: string; to?: string }): Promise<Table> {
  const p = period(query);
  const invoices = await issuedBetween(ports, query.tenantId, p.from, p.to);
  const status = new Map(invoices.map((i) => [i.id, i.status]));
  return invoiceExportTable(ledgerOf(invoices, p), (id) => status.get(id) ?? '');
}

/** The journal entries of the period (accounts from the tenant's settings through the port, else the defaults). */
export async function journal(ports: ReportingPorts, query: { tenantId: string; from?: string; to?: string }): Promise<Journal> {
  const p = period(query);
  const [invoices, payments, records, accounts] = await Promise.all([
    issuedBetween(ports, query.tenantId, p.from, p.to),
    paymentsBetween(ports, query.tenantId, p.from, p.to),
    ports.ledger.recordsBetween(query.tenantId, p.from, p.to),
    ports.accounts ? ports.accounts(query.tenantId) : ({} as Partial<JournalAccounts>),
  ]);
  return journalOf({ ...p, accounts, invoices, payments, refunds: records.refunds });
}
