import { Aging, Reports, Tables } from '../../domain/reporting';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { reportingPorts } from '../../shared/wiring/reporting';
import { csvResponse, tableResponse } from './report-files';
import {
  AgingQuery,
  AgingView,
  ForecastQuery,
  ForecastView,
  PeriodQuery,
  SalesLedgerQuery,
  SalesLedgerView,
  SummaryView,
  VatQuery,
  VatView,
} from './schemas/reports';

export const routes = {
  'GET /v1/reports/sales-ledger': route({
    summary:
      'The sales ledger (libro registro de facturas expedidas) of a period: one row per issued document per VAT rate (credit notes with their fiscal type and corrected number), as JSON, CSV (AEAT common format column order) or XLSX',
    permission: 'reports:read',
    query: SalesLedgerQuery,
    response: SalesLedgerView,
    handler: async ({ query, caller }) => {
      const ledger = await Reports.salesLedger(reportingPorts(), { tenantId: caller.tenantId, from: query.from, to: query.to });
      const name = `sales-ledger-${query.from}-${query.to}`;
      if (query.format !== 'json') return tableResponse(Tables.salesLedgerTable(ledger), name, query);
      return ledger;
    },
  }),
  'GET /v1/reports/vat': route({
    summary:
      'The VAT summary of a period per currency and rate (base, VAT, withholding): by accrual (issue date; equals the sales ledger per rate) or cash (payment date, VAT prorated to what was paid)',
    permission: 'reports:read',
    query: VatQuery,
    response: VatView,
    handler: async ({ query, caller }) => Reports.vat(reportingPorts(), { tenantId: caller.tenantId, from: query.from, to: query.to, basis: query.basis }),
  }),
  'GET /v1/reports/aging': route({
    summary:
      'Aged receivables as of a day (default today; past days rebuilt from the payment and credit records): open balances per client and in total, in buckets by days past due (due today is current), unapplied credit apart',
    permission: 'reports:read',
    query: AgingQuery,
    response: AgingView,
    handler: async ({ query, caller }) => {
      const report = await Reports.aging(reportingPorts(), { tenantId: caller.tenantId, asOf: query.asOf, buckets: query.buckets });
      if (query.format === 'csv') return csvResponse(Aging.agingTable(report), `aging-${report.asOf}`, query);
      return report;
    },
  }),
  'GET /v1/reports/summary': route({
    summary:
      'The status summary of the invoices issued in a period: count and amount per stage and per payment status (as of the last day, rebuilt from the records), and DSO (receivables at the end / sales x days)',
    permission: 'reports:read',
    query: PeriodQuery,
    response: SummaryView,
    handler: async ({ query, caller }) => Reports.summary(reportingPorts(), { tenantId: caller.tenantId, from: query.from, to: query.to }),
  }),
  'GET /v1/reports/forecast': route({
    summary:
      'Expected billing and collections per month from the current one: open invoices by due date (overdue ones in the first month), open deals weighted by their stage probability, recurring schedules',
    permission: 'reports:read',
    query: ForecastQuery,
    response: ForecastView,
    handler: async ({ query, caller }) => Reports.forecast(reportingPorts(), { tenantId: caller.tenantId, months: query.months }),
  }),
};

export const handler = httpApi(routes, httpDeps);
