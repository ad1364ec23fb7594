/**
 * Reporting's wiring: the invoice store (read by its byIssueDate index), the payments ledger (records and
 * payments by their own dates), the open deals (by stage index, one query per open stage) and the deal
 * pipeline for the forecast. Recurring schedules: none wired yet (the scheduling area will give a
 * RecurringPlan; until then the forecast's `recurring` is 0). Reads only.
 */
import { pipelinesRepository } from '../../adapters/dynamo/kernel/pipelines-repository';
import { invoicesRepository } from '../../adapters/dynamo/invoicing/invoices-repository';
import { ledgerRepository } from '../../adapters/dynamo/payments/ledger-repository';
import { dealsRepository } from '../../adapters/dynamo/sales/deals-repository';
import { Forecasting, type OpenDeal, type ReportingPorts } from '../../domain/reporting';
import { SalesPipeline } from '../../domain/sales';
import { once, service } from './core';

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
    recurring: Forecasting.noRecurringPlan,
    ...options,
  };
}

export const reportingPorts = once(() => reportingPortsOn(service()));

/** The spreadsheet writer (XLSX, no dependency: adapters/spreadsheet). */
export { xlsxOf } from '../../adapters/spreadsheet/xlsx';
