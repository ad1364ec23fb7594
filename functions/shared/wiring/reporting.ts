/**
 * Reporting's wiring: the invoice store (read by its byIssueDate index), the payments ledger (records and
 * payments by their own dates), the open deals (by stage index, one query per open stage) and the deal
 * pipeline for the forecast, and the recurring schedules (the scheduling area's plan of their next periods).
 * Reads only (the export jobs' store writes its jobs).
 */
import { pipelinesRepository } from '../../adapters/dynamo/kernel/pipelines-repository';
import { invoicesRepository } from '../../adapters/dynamo/invoicing/invoices-repository';
import { ledgerRepository } from '../../adapters/dynamo/payments/ledger-repository';
import { dealsRepository } from '../../adapters/dynamo/sales/deals-repository';
import { exportJobsRepository } from '../../adapters/dynamo/reporting/export-jobs-repository';
import { recurringRepository } from '../../adapters/dynamo/scheduling/recurring-repository';
import { xlsxOf } from '../../adapters/spreadsheet/xlsx';
import { Csv, type ExportFormat, type ExportPorts, type OpenDeal, type RecurringPlan, type ReportingPorts, type Table } from '../../domain/reporting';
import { RecurringForecast, type RecurringInvoice } from '../../domain/scheduling';
import { Settings } from '../../domain/documents';
import { SalesPipeline } from '../../domain/sales';
import { once, service } from './core';
import { tenants } from './tenancy';

/** The forecast's recurring plan: the tenant's schedules, their next periods priced by their lines. */
function recurringPlanOn(svc: ReturnType<typeof service>): RecurringPlan {
  const store = recurringRepository(svc);
  return {
    plannedByMonth: async (tenantId, months) => {
      const schedules: RecurringInvoice[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.list(tenantId, { limit: 100, cursor });
        schedules.push(...page.data);
        cursor = page.nextCursor;
      } while (cursor);
      return RecurringForecast.plannedByMonth(schedules, months);
    },
  };
}

export function reportingPortsOn(svc: ReturnType<typeof service>, options: { now?: () => Date } = {}): ReportingPorts {
  const deals = dealsRepository(svc);
  const dealPipeline = (tenantId: string) => SalesPipeline.pipelineSource(pipelinesRepository(svc))(tenantId, 'deal');
  return {
    invoices: invoicesRepository(svc),
    ledger: ledgerRepository(svc),
    dealPipeline,
    openDeals: async (tenantId) => {
      const pipeline = await dealPipeline(tenantId);
      const out: OpenDeal[] = [];
      for (const stage of pipeline.stages.filter((s) => s.kind === 'open')) {
        let cursor: string | null = null;
        do {
          const page = await deals.list(tenantId, { stage: stage.id }, { limit: 100, cursor });
          for (const d of page.data) {
            if (d.status === 'open')
              out.push({
                id: d.id,
                stage: d.stage,
                amount: d.amount,
                currency: d.currency,
                ...((d as { expectedCloseDate?: string }).expectedCloseDate
                  ? { expectedCloseDate: (d as { expectedCloseDate?: string }).expectedCloseDate }
                  : {}),
              });
          }
          cursor = page.nextCursor;
        } while (cursor);
      }
      return out;
    },
    recurring: recurringPlanOn(svc),
    accounts: async (tenantId) => Settings.journalAccounts((await tenants().getTenant(tenantId))?.settings),
    ...options,
  };
}

export const reportingPorts = /* @__PURE__ */ once(() => reportingPortsOn(service()));

/** The spreadsheet writer (XLSX, no dependency: adapters/spreadsheet). */
export { xlsxOf };

/** The export jobs' ports: the reporting ports and the job store (created with its event in one write). */
export const exportPorts = /* @__PURE__ */ once((): ExportPorts => ({ ...reportingPorts(), jobs: exportJobsRepository(service()) }));

/** A built export as the bytes of its file. */
export function encodeExport(result: { table?: Table; json?: unknown }, format: ExportFormat): { body: Uint8Array; contentType: string } {
  if (format === 'json' || !result.table) return { body: Buffer.from(JSON.stringify(result.json ?? null), 'utf8'), contentType: 'application/json' };
  if (format === 'xlsx') return { body: xlsxOf(result.table), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
  return { body: Buffer.from(Csv.toCsv(result.table.header, result.table.rows), 'utf8'), contentType: 'text/csv; charset=utf-8' };
}
