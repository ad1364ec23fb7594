/**
 * The report verbs: read what a report needs through the ports (indexes only), then the pure functions.
 * Reads take `{ tenantId, ... }`; `asOf` defaults to today by the ports' clock.
 */
import { DEFAULT_PIPELINES, today } from '../kernel';
import { type Forecast, forecast as forecastOf, monthCount, monthsFrom } from './forecast';
import { type StatusSummary, statusSummary } from './summary';
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
