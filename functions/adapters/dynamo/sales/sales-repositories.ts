import {
  asInvoiceSource,
  pipelineSource,
  type InvoiceSource,
  type InvoiceSource as CrmInvoiceSource,
  type PipelineConfigStore,
  type PipelineSource,
  type SalesEntity,
  type StageUsage,
  type StoredPipeline,
} from '../../../domain/sales/pipeline-settings';
import { Conflict, NotFound } from '../../../domain/kernel/errors';
import type { CommitResult, InvoiceChange, InvoiceCommit, InvoicePorts, InvoiceSourceReader, InvoiceStore, PipelineSettings } from '../../../domain/invoicing/invoice';
import { alreadyInvoiced, invoicingRefusal, type QuoteStatus } from '../../../domain/sales/quote';
import { timelineEntry } from '../../../domain/kernel/timeline';
import { rejectedItems } from '../helpers';
import { invoicesRepository, pipelinesRepository, toInvoiceRecord, toLookupRecord } from '../invoicing/invoices-repository';
import { loadDealAsInvoiceSource } from '../../../domain/sales/deal';
import { loadQuoteAsInvoiceSource } from '../../../domain/sales/quote';
import { dealsRepository } from './deals-repository';
import { clientDirectory } from '../clients/clients-repository';
import { conversionCommitter, duplicateFinder, leadsRepository } from './leads-repository';
import { acceptanceCommitter, quoteNumbering, quotesRepository } from './quotes-repository';
import { timelineRepository } from '../kernel/timeline-repository';
import type { CrmService } from '../service';

/**
 * Tenants' lead and deal pipelines: the same pipelineConfig records, read and written (version-conditioned)
 * by the same store as the invoice pipeline, without the invoice-only number formats.
 */
export function pipelineConfigs(service: CrmService): PipelineConfigStore {
  const store = pipelinesRepository(service);
  const strip = ({ tenantId, kind, stages, version, updatedAt, updatedBy }: PipelineSettings): StoredPipeline => ({
    tenantId, kind: kind as SalesEntity, stages, version, ...(updatedAt ? { updatedAt } : {}), ...(updatedBy ? { updatedBy } : {}),
  });
  return {
    async get(tenantId, kind) {
      const stored = await store.get(tenantId, kind);
      return stored ? strip(stored) : null;
    },
    async save(pipeline, expectedVersion) {
      await store.save(pipeline, expectedVersion);
      return pipeline;
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
    commitAcceptance: acceptanceCommitter(service),
    pipelines: options.pipelines ?? pipelineSource(configs),
  };
  return {
    ...ports,
    /** Timelines of deals and quotes (entries are written in the transactions of the changes they record). */
    timeline: timelineRepository(service),
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

// ---------------------------------------------------------------------------------------------------
// Invoices made from deals and quotes

type SourceLink = { type: 'deal' | 'quote'; id: string };

function sourceLinkOf(change: InvoiceChange | undefined): SourceLink | null {
  const source = change?.after.source;
  return source && (source.type === 'deal' || source.type === 'quote') ? { type: source.type, id: source.id } : null;
}

/**
 * What the invoice use cases need to make invoices from deals and quotes (spread into invoicePortsFor):
 *
 * - `sources`: the deal or quote as an invoice source; 409 for a draft or declined quote, and for a quote
 *   that already has its invoice unless `allowDuplicate`.
 * - `invoices`: the invoice store, whose create of an invoice from a deal or quote also writes, in the SAME
 *   transaction, the 'invoice_created' entry on the source's timeline and, for a quote, the quote's
 *   `invoiceId` under the condition that it has none yet: two concurrent creates from one quote cannot
 *   both succeed, the loser gets 409 naming the winner's invoice. Every other commit goes to `base`.
 */
export function invoiceSourcePorts(
  service: CrmService,
  crm: Pick<CrmRepositories, 'loadInvoiceSource'>,
  options: { allowDuplicate?: boolean; base?: InvoiceStore } = {},
): Pick<InvoicePorts, 'sources' | 'invoices'> {
  const base = options.base ?? invoicesRepository(service);
  const allowDuplicate = options.allowDuplicate ?? false;

  const sources: InvoiceSourceReader = {
    async loadSource(tenantId, ref) {
      const source = (await crm.loadInvoiceSource(tenantId, ref)) as (CrmInvoiceSource & { sourceStatus?: QuoteStatus; invoiceId?: string }) | null;
      if (!source) return null;
      if (source.sourceType === 'quote') {
        const refusal = source.sourceStatus ? invoicingRefusal(source.sourceStatus) : null;
        if (refusal) throw new Conflict(refusal, [{ field: 'from.quoteId', message: source.sourceStatus! }], { quoteStatus: source.sourceStatus });
        if (source.invoiceId && !allowDuplicate) throw alreadyInvoiced(source.sourceId, source.invoiceId);
      }
      return asInvoiceSource(source);
    },
  };

  async function commitLinked(commit: InvoiceCommit, link: SourceLink, claimQuote: boolean): Promise<CommitResult | 'claimed'> {
    const change = commit.changes[0]!;
    const { after } = change;
    const actor = change.timeline[0]?.actor ?? { type: 'system' as const, id: 'system' };
    const data = { invoiceId: after.id, type: after.type, total: after.totals.total, currency: after.currency };
    const linkEntries = [timelineEntry({ tenantId: after.tenantId, subjectType: link.type, subjectId: link.id, kind: 'invoice_created', actor, at: after.createdAt, data })];
    // an invoice from a quote of a deal shows on the deal's timeline too
    if (link.type === 'quote' && after.dealId) {
      linkEntries.push(timelineEntry({ tenantId: after.tenantId, subjectType: 'deal', subjectId: after.dealId, kind: 'invoice_created', actor, at: after.createdAt, data: { ...data, quoteId: link.id } }));
    }
    let quoteIndex = -1;
    const result = await service.transaction
      .write((e: any) => {
        const items: any[] = [
          e.invoice.create(toInvoiceRecord(after)).commit(),
          e.invoiceLookup.put(toLookupRecord(after)).commit(),
          ...change.timeline.map((entry) => e.timeline.create(entry).commit()),
          ...change.events.map((event) => e.outbox.create(event).commit()),
          ...linkEntries.map((entry) => e.timeline.create(entry).commit()),
        ];
        if (link.type === 'quote') {
          quoteIndex = items.length;
          items.push(claimQuote
            ? e.quote.patch({ tenantId: after.tenantId, id: link.id })
              .set({ invoiceId: after.id, updatedAt: after.createdAt })
              .add({ version: 1 })
              .where((a: any, { notExists }: any) => notExists(a.invoiceId))
              .commit()
            // a further invoice, asked for: the quote keeps pointing at its first one, and must still exist
            : e.quote.check({ tenantId: after.tenantId, id: link.id }).where((a: any, { exists }: any) => exists(a.id)).commit());
        }
        return items;
      })
      .go();
    if (!result.canceled) return { outcome: 'ok' };
    const rejected = rejectedItems(result);
    if (rejected.some((r) => r.index === quoteIndex && r.code === 'ConditionalCheckFailed')) return 'claimed';
    if (rejected.some((r) => r.index === 0 && r.code === 'ConditionalCheckFailed')) return { outcome: 'stale', members: [0] };
    if (rejected.some((r) => r.code === 'TransactionConflict')) return { outcome: 'contention' };
    throw new Error(`invoice transaction canceled: ${rejected.map((r) => `${r.index}:${r.code}`).join(', ')}`);
  }

  const invoices: InvoiceStore = {
    ...base,
    async commit(commit: InvoiceCommit): Promise<CommitResult> {
      const change = commit.changes.length === 1 && !commit.counter && commit.changes[0]!.before === null ? commit.changes[0] : undefined;
      const link = sourceLinkOf(change);
      if (!change || !link) return base.commit(commit);
      const { tenantId } = change.after;
      const quoteOf = async () => (link.type === 'quote' ? (await service.entities.quote.get({ tenantId, id: link.id }).go({ consistent: true })).data : null);
      // claim the quote when it has no invoice yet; with allowDuplicate and an invoice already there, only check it exists
      let claim = link.type === 'quote' && !(allowDuplicate && (await quoteOf())?.invoiceId);
      for (let attempt = 0; attempt < 2; attempt++) {
        const outcome = await commitLinked(commit, link, claim);
        if (outcome !== 'claimed') return outcome;
        // another invoice took the quote first
        const winner = (await quoteOf())?.invoiceId;
        if (!allowDuplicate) throw alreadyInvoiced(link.id, winner ?? 'unknown');
        claim = false;
      }
      return { outcome: 'contention' };
    },
  };

  return { sources, invoices };
}
