import { Conflict, timelineEntry } from '../../../domain/kernel';
import { SourceRelease, type CommitResult, type InvoiceChange, type InvoiceCommit, type InvoiceStore } from '../../../domain/invoicing';
import { rejectedItems } from '../helpers';
import type { CrmService } from '../service';
import { commitInvoices, toInvoiceRecord, toLookupRecord, type ExtensibleInvoiceStore } from './invoices-repository';
import { InvoiceSources } from '../../../domain/sales';
import { InvoiceEntity, InvoiceLookupEntity } from './invoice-entity';
import { OutboxEntity } from '../kernel/outbox-entity';
import { QuoteEntity } from '../sales/quote-entity';
import { TimelineEntity } from '../kernel/timeline-entity';
import { DealEntity } from '../sales/deal-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({
  deal: DealEntity,
  invoice: InvoiceEntity,
  invoiceLookup: InvoiceLookupEntity,
  outbox: OutboxEntity,
  quote: QuoteEntity,
  timeline: TimelineEntity,
});

type SourceLink = { type: 'deal' | 'quote'; id: string };
/** What the transaction does to a source: claim it (its `invoiceId`, only when absent), check it exists, or check it has none. */
type LinkMode = 'claim' | 'exists' | 'unclaimed';

function sourceLinkOf(change: InvoiceChange | undefined): SourceLink | null {
  const source = change?.after.source;
  return source && (source.type === 'deal' || source.type === 'quote') ? { type: source.type, id: source.id } : null;
}

/**
 * The invoice store of invoices made from deals and quotes: its create of an invoice from a deal or quote also
 * writes, in the SAME transaction, the 'invoice_created' entry on the source's timeline and, for a quote, the
 * quote's `invoiceId` under the condition that it has none yet: two concurrent creates from one quote cannot
 * both succeed, the loser gets 409 naming the winner's invoice (unless `allowDuplicate`). A deal is checked to
 * have no `invoiceId` (a recapitulative invoice billed it in full), unless `allowDuplicate`. A recapitulative
 * invoice (`sources`) claims every deal and quote it groups the same way (their `invoiceId`, only when absent);
 * a source taken first makes the write fail with a Conflict listing them (`taken`); deleting that draft gives them
 * back in the same transaction, and so does a write that voids an invoice (a cancel, a move to the failure stage):
 * its quote or `sources` still naming it are released in that write (`commitReleasing`). Every other commit goes to `base`. (Which sources may be invoiced at all is the domain's rule: sales' InvoiceSources and RecapitulativeSelection.)
 */
export function linkedInvoiceStore(service: CrmService, base: ExtensibleInvoiceStore, options: { allowDuplicate?: boolean } = {}): InvoiceStore {
  const allowDuplicate = options.allowDuplicate ?? false;

  async function commitLinked(commit: InvoiceCommit, links: { link: SourceLink; mode: LinkMode }[]): Promise<CommitResult | { claimed: SourceLink[] }> {
    const change = commit.changes[0]!;
    const { after } = change;
    const actor = change.timeline[0]?.actor ?? { type: 'system' as const, id: 'system' };
    const data = {
      invoiceId: after.id,
      type: after.type,
      total: after.totals.total,
      currency: after.currency,
      ...(after.recapitulative ? { recapitulative: true } : {}),
    };
    const linkEntries = links.map(({ link }) =>
      timelineEntry({ tenantId: after.tenantId, subjectType: link.type, subjectId: link.id, kind: 'invoice_created', actor, at: after.createdAt, data }),
    );
    // an invoice from a quote of a deal shows on the deal's timeline too
    const single = links.length === 1 && !after.sources ? links[0]!.link : null;
    if (single?.type === 'quote' && after.dealId) {
      linkEntries.push(
        timelineEntry({
          tenantId: after.tenantId,
          subjectType: 'deal',
          subjectId: after.dealId,
          kind: 'invoice_created',
          actor,
          at: after.createdAt,
          data: { ...data, quoteId: single.id },
        }),
      );
    }
    // the sources' items come last, in the order of `links`
    const firstLink = 2 + change.timeline.length + change.events.length + linkEntries.length;
    const result = await service.transaction
      .write(({ invoice, invoiceLookup, timeline, outbox, quote, deal }) => [
        invoice.create(toInvoiceRecord(after)).commit(),
        invoiceLookup.put(toLookupRecord(after)).commit(),
        ...change.timeline.map((entry) => timeline.create(entry).commit()),
        ...change.events.map((event) => outbox.create(event).commit()),
        ...linkEntries.map((entry) => timeline.create(entry).commit()),
        ...links.map(({ link, mode }) => {
          const entity = link.type === 'quote' ? quote : deal;
          const key = { tenantId: after.tenantId, id: link.id };
          if (mode === 'claim')
            return (entity as typeof quote)
              .patch(key)
              .set({ invoiceId: after.id, updatedAt: after.createdAt })
              .add({ version: 1 })
              .where((a, { notExists }) => notExists(a.invoiceId))
              .commit();
          if (mode === 'unclaimed')
            return (entity as typeof quote)
              .check(key)
              .where((a, { exists, notExists }) => `${exists(a.id)} AND ${notExists(a.invoiceId)}`)
              .commit();
          // a further invoice, asked for: the source keeps pointing at its first one, and must still exist
          return (entity as typeof quote)
            .check(key)
            .where((a, { exists }) => exists(a.id))
            .commit();
        }),
      ])
      .go();
    if (!result.canceled) return { outcome: 'ok' };
    const rejected = rejectedItems(result);
    const claimed = rejected
      .filter((r) => r.index >= firstLink && r.code === 'ConditionalCheckFailed')
      .map((r) => links[r.index - firstLink]?.link)
      .filter((l): l is SourceLink => !!l);
    if (claimed.length > 0) return { claimed };
    if (rejected.some((r) => r.index === 0 && r.code === 'ConditionalCheckFailed')) return { outcome: 'stale', members: [0] };
    if (rejected.some((r) => r.code === 'TransactionConflict')) return { outcome: 'contention' };
    throw new Error(`invoice transaction canceled: ${rejected.map((r) => `${r.index}:${r.code}`).join(', ')}`);
  }

  /** The invoice a source points at now (read after a refused claim: the winner's). */
  async function invoiceOf(tenantId: string, link: SourceLink): Promise<string | undefined> {
    const entity = link.type === 'quote' ? service.entities.quote : service.entities.deal;
    const { data } = await (entity as typeof service.entities.quote).get({ tenantId, id: link.id }).go({ consistent: true });
    return (data as { invoiceId?: string } | null)?.invoiceId;
  }

  /**
   * Deleting a recapitulative draft gives its sources back (their `invoiceId` removed, in the same transaction, where
   * it still names this invoice), so they can be invoiced again.
   */
  async function releaseSources(commit: InvoiceCommit, draft: NonNullable<InvoiceChange['before']>): Promise<CommitResult> {
    const linked = await Promise.all(draft.sources!.map(async (link) => ((await invoiceOf(draft.tenantId, link)) === draft.id ? link : null)));
    const held = linked.filter((l): l is SourceLink => !!l);
    return commitInvoices(service, commit, ({ deal, quote }) =>
      held.map((link) =>
        ((link.type === 'quote' ? quote : deal) as typeof quote)
          .patch({ tenantId: draft.tenantId, id: link.id })
          .remove(['invoiceId'])
          .where((a, { eq }) => eq(a.invoiceId, draft.id))
          .commit(),
      ),
    );
  }

  /**
   * A write that voids invoices made from deals or quotes (a cancel: its credit note moves the original to CANCELLED;
   * a move to the failure stage) gives back, in the SAME transaction, those of their sources that still name them:
   * `invoiceId` removed under the condition that it still names the invoice (a source re-claimed meanwhile is not
   * touched), the source's version moved, an `invoice_cancelled` entry on its timeline (domain: source-release.ts).
   * The sources are read on every try: a retried write (contention, a new counter) neither fails on them nor writes twice.
   */
  async function commitReleasing(commit: InvoiceCommit, voided: SourceRelease.VoidedInvoice[]): Promise<CommitResult> {
    const held = await Promise.all(
      voided.map(async (v) => {
        const still = await Promise.all(v.links.map(async (link) => ((await invoiceOf(v.invoice.tenantId, link)) === v.invoice.id ? link : null)));
        return { voided: v, links: still.filter((l): l is SourceLink => !!l) };
      }),
    );
    const releasing = held.filter((h) => h.links.length > 0);
    if (releasing.length === 0) return base.commit(commit);
    return base.commitWith(commit, ({ quote, deal, timeline }) => [
      ...releasing.flatMap(({ voided: { invoice }, links }) =>
        links.map((link) =>
          ((link.type === 'quote' ? quote : deal) as typeof quote)
            .patch({ tenantId: invoice.tenantId, id: link.id })
            .remove(['invoiceId'])
            .set({ updatedAt: invoice.updatedAt })
            .add({ version: 1 })
            .where((a, { eq }) => eq(a.invoiceId, invoice.id))
            .commit(),
        ),
      ),
      ...releasing.flatMap(({ voided: v, links }) => SourceRelease.releaseEntries(v, links).map((entry) => timeline.create(entry).commit())),
    ]);
  }

  const invoices: InvoiceStore = {
    ...base,
    async commit(commit: InvoiceCommit): Promise<CommitResult> {
      const change = commit.changes.length === 1 && !commit.counter && commit.changes[0]!.before === null ? commit.changes[0] : undefined;
      const deleted = commit.changes[0]?.delete ? commit.changes[0] : undefined;
      if (deleted?.before?.sources?.length && !commit.counter) return releaseSources(commit, deleted.before);
      const voided = SourceRelease.voidedWithSources(commit.changes);
      if (voided.length > 0) return commitReleasing(commit, voided);
      const { tenantId } = change?.after ?? { tenantId: '' };
      // a recapitulative invoice: claim every source, none taken twice
      const grouped = change?.after.sources;
      if (change && grouped?.length) {
        const outcome = await commitLinked(
          commit,
          grouped.map((link) => ({ link, mode: 'claim' as const })),
        );
        if (!('claimed' in outcome)) return outcome;
        const taken = await Promise.all(outcome.claimed.map(async (link) => ({ ...link, invoiceId: await invoiceOf(tenantId, link) })));
        throw new Conflict(
          'some operations already have an invoice',
          taken.map((t) => ({ field: `${t.type}Id`, message: `already invoiced: ${t.invoiceId ?? 'another invoice'}` })),
          { taken },
        );
      }
      const link = sourceLinkOf(change);
      if (!change || !link) return base.commit(commit);
      // claim the quote when it has no invoice yet; with allowDuplicate and an invoice already there, only check it exists.
      // a deal: checked to have no invoice in full (a recapitulative one), unless allowDuplicate
      let mode: LinkMode =
        link.type === 'deal' ? (allowDuplicate ? 'exists' : 'unclaimed') : allowDuplicate && (await invoiceOf(tenantId, link)) ? 'exists' : 'claim';
      for (let attempt = 0; attempt < 2; attempt++) {
        const outcome = await commitLinked(commit, [{ link, mode }]);
        if (!('claimed' in outcome)) return outcome;
        // another invoice took the source first
        const winner = await invoiceOf(tenantId, link);
        if (!allowDuplicate) throw InvoiceSources.alreadyInvoiced(link.id, winner ?? 'unknown', link.type);
        mode = 'exists';
      }
      return { outcome: 'contention' };
    },
  };

  return invoices;
}
