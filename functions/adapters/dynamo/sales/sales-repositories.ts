import { SalesPipeline, type StageUsage } from '../../../domain/sales';
import { clientDirectory } from '../clients/clients-repository';
import { pipelinesRepository } from '../kernel/pipelines-repository';
import { timelineRepository } from '../kernel/timeline-repository';
import type { CrmService } from '../service';
import { dealsRepository } from './deals-repository';
import { conversionCommitter, duplicateFinder, leadsRepository } from './leads-repository';
import { acceptanceCommitter, quoteNumbering, quotesRepository } from './quotes-repository';
import { DealEntity } from './deal-entity';
import { LeadEntity } from './lead-entity';
import { TimelineEntity } from '../kernel/timeline-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ deal: DealEntity, lead: LeadEntity, timeline: TimelineEntity });

/** Whether any lead or deal is in a stage, through their byStage indexes. */
export function stageUsage(service: CrmService): StageUsage {
  const { lead, deal } = service.entities;
  return async (tenantId, kind, stage) => {
    const { data } =
      kind === 'lead' ? await lead.query.byStage({ tenantId, stage }).go({ limit: 1 }) : await deal.query.byStage({ tenantId, stage }).go({ limit: 1 });
    return data.length > 0;
  };
}

/**
 * The sales side (leads, deals, quotes) on the single table: every port their domain verbs take, except
 * the tenant's default currency (the wiring adds it from the tenant's settings).
 */
export function salesRepositories(service: CrmService) {
  const configs = pipelinesRepository(service);
  return {
    configs,
    stageInUse: stageUsage(service),
    leads: leadsRepository(service),
    deals: dealsRepository(service),
    quotes: quotesRepository(service),
    clients: clientDirectory(service),
    duplicates: duplicateFinder(service),
    commitConversion: conversionCommitter(service),
    numbering: quoteNumbering(service),
    commitAcceptance: acceptanceCommitter(service),
    pipelines: SalesPipeline.pipelineSource(configs),
    /** Timelines of deals and quotes (entries are written in the transactions of the changes they record). */
    timeline: timelineRepository(service),
  };
}

export type SalesRepositories = ReturnType<typeof salesRepositories>;
