import {
  pipelineSource,
  type InvoiceSource,
  type PipelineConfigStore,
  type PipelineSource,
  type StageUsage,
  type StoredPipeline,
} from '../../domain/crm-common';
import { Conflict, NotFound, staleVersion } from '../../domain/errors';
import { isConditionFailure } from './errors';
import { loadDealAsInvoiceSource } from '../../domain/deals';
import { loadQuoteAsInvoiceSource } from '../../domain/quotes';
import { dealsRepository } from './deals-repository';
import { clientDirectory, conversionCommitter, duplicateFinder, leadsRepository } from './leads-repository';
import { quoteNumbering, quotesRepository } from './quotes-repository';
import type { CrmService } from './service';

/** Tenants' lead and deal pipelines, in the same pipelineConfig records as the invoice pipeline. */
export function pipelineConfigs(service: CrmService): PipelineConfigStore {
  const { pipelineConfig } = service.entities;
  const strip = (r: Record<string, unknown>): StoredPipeline => {
    const { tenantId, kind, stages, version, updatedAt, updatedBy } = r as unknown as StoredPipeline;
    return { tenantId, kind, stages, version, ...(updatedAt ? { updatedAt } : {}), ...(updatedBy ? { updatedBy } : {}) };
  };
  return {
    async get(tenantId, kind) {
      const { data } = await pipelineConfig.get({ tenantId, kind }).go({ consistent: true });
      return data ? strip(data as Record<string, unknown>) : null;
    },
    async save(pipeline, expectedVersion) {
      try {
        if (expectedVersion === 0) await pipelineConfig.create(pipeline as any).go();
        else await pipelineConfig.put(pipeline as any).where((attr, { eq }) => eq(attr.version, expectedVersion)).go();
        return pipeline;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const current = await this.get(pipeline.tenantId, pipeline.kind);
        throw current ? staleVersion(expectedVersion, current.version) : new Conflict('the pipeline changed meanwhile; read it again');
      }
    },
  };
}

/** Whether any lead or deal is in a stage, through their byStage indexes. */
export function stageUsage(service: CrmService): StageUsage {
  const { lead, deal } = service.entities;
  return async (tenantId, kind, stage) => {
    const query: any = kind === 'lead' ? lead.query.byStage({ tenantId, stage }) : deal.query.byStage({ tenantId, stage });
    const { data } = await query.go({ limit: 1 });
    return data.length > 0;
  };
}

/**
 * The sales side (leads, deals, quotes) on the single table: every port their domain verbs take.
 * `pipelines` reads the tenant's lead / deal pipeline (saved, else the default).
 */
export function crmRepositories(service: CrmService, options: { pipelines?: PipelineSource } = {}) {
  const leads = leadsRepository(service);
  const deals = dealsRepository(service);
  const quotes = quotesRepository(service);
  const clients = clientDirectory(service);
  const configs = pipelineConfigs(service);
  const ports = {
    configs,
    stageInUse: stageUsage(service),
    leads,
    deals,
    quotes,
    clients,
    duplicates: duplicateFinder(service),
    commitConversion: conversionCommitter(service),
    numbering: quoteNumbering(service),
    pipelines: options.pipelines ?? pipelineSource(configs),
  };
  return {
    ...ports,
    /** What an invoice copies from a deal (client as it is now, lines, currency, responsible user). 404 if missing. */
    loadDealAsInvoiceSource: (tenantId: string, dealId: string): Promise<InvoiceSource> =>
      loadDealAsInvoiceSource(ports, tenantId, dealId),
    /** What an invoice copies from a quote (its client snapshot, lines, totals, deal). 404 if missing. */
    loadQuoteAsInvoiceSource: (tenantId: string, quoteId: string) => loadQuoteAsInvoiceSource(ports, tenantId, quoteId),
    /** The same, shaped for the invoice's source-reader port: null (not 404) when the deal or quote does not exist. */
    async loadInvoiceSource(tenantId: string, ref: { dealId: string } | { quoteId: string }): Promise<InvoiceSource | null> {
      try {
        return 'dealId' in ref ? await loadDealAsInvoiceSource(ports, tenantId, ref.dealId) : await loadQuoteAsInvoiceSource(ports, tenantId, ref.quoteId);
      } catch (error) {
        if (error instanceof NotFound) return null;
        throw error;
      }
    },
  };
}

export type CrmRepositories = ReturnType<typeof crmRepositories>;
