import { Conflict } from '../../../domain/kernel';
import { SourceLinks, type CommitResult, type InvoiceChange, type InvoiceCommit, type InvoiceStore } from '../../../domain/invoicing';
import { rejectedItems } from '../helpers';
import type { CrmService } from '../service';
import { toInvoiceRecord, toLookupRecord, type ExtensibleInvoiceStore } from './invoices-repository';
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
 * a source taken first makes the write fail with a Conflict listing them (`taken`). Deleting a draft, or voiding an
 * invoice (a cancel, a move to the failure stage), gives its quote or `sources` still naming it back in that same
 * write (`commitReleasing`). Every other commit goes to `base`. (Which sources may be invoiced at all is the domain's rule: sales' InvoiceSources and RecapitulativeSelection.)
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
      recapitulative: after.recapitulative,
    };
    // on each source's timeline (and, for an invoice from a quote of a deal, on the deal's)
    const linkEntries = SourceLinks.sourceEntries(
      after,
      links.map((l) => l.link),
      'invoice_created',
      actor,
      after.createdAt,
      data,
    );
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
          // 'unclaimed': it exists and has no invoice; 'exists' (a further invoice, asked for): the source keeps pointing at its first one
          return (entity as typeof quote)
            .check(key)
            .where((a, { exists, notExists }) => (mode === 'unclaimed' ? `${exists(a.id)} AND ${notExists(a.invoiceId)}` : exists(a.id)))
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
   * A write that deletes a draft made from deals or quotes, or voids such an invoice (a cancel: its credit note moves
   * the original to CANCELLED; a move to the failure stage), gives back in the SAME transaction those of its sources
   * that still name it: `invoiceId` removed under that condition (a source re-claimed meanwhile is not touched), the
   * source's version moved, and for a void an `invoice_cancelled` entry on its timeline (domain: source-links.ts).
   * The sources are read on every try: a retried write (contention, a new counter) neither fails on them nor writes twice.
   */
  async function commitReleasing(commit: InvoiceCommit, releases: SourceLinks.Release[]): Promise<CommitResult> {
    const held = await Promise.all(
      releases.map(async (r) => {
        const still = await Promise.all(r.links.map(async (link) => ((await invoiceOf(r.invoice.tenantId, link)) === r.invoice.id ? link : null)));
        return { r, links: still.filter((l): l is SourceLink => !!l) };
      }),
    );
    const at = new Date().toISOString();
    return base.commit(commit, ({ quote, deal, timeline }) =>
      held.flatMap(({ r, links }) => [
        ...links.map((link) =>
          ((link.type === 'quote' ? quote : deal) as typeof quote)
            .patch({ tenantId: r.invoice.tenantId, id: link.id })
            .remove(['invoiceId'])
            .set({ updatedAt: r.voided?.at ?? at })
            .add({ version: 1 })
            .where((a, { eq }) => eq(a.invoiceId, r.invoice.id))
            .commit(),
        ),
        ...SourceLinks.releaseEntries(r, links).map((entry) => timeline.create(entry).commit()),
      ]),
    );
  }

  const invoices: InvoiceStore = {
    ...base,
    async commit(commit: InvoiceCommit): Promise<CommitResult> {
      const change = commit.changes.length === 1 && !commit.counter && commit.changes[0]!.before === null ? commit.changes[0] : undefined;
      // a deleted draft or a voided invoice gives its deals and quotes back
      const releases = SourceLinks.releasesOf(commit.changes);
      if (releases.length > 0) return commitReleasing(commit, releases);
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
