import { timelineEntry } from '../../../domain/kernel';
import type { CommitResult, InvoiceChange, InvoiceCommit, InvoiceStore } from '../../../domain/invoicing';
import { rejectedItems } from '../helpers';
import type { CrmService } from '../service';
import { toInvoiceRecord, toLookupRecord } from './invoices-repository';
import { InvoiceSources } from '../../../domain/sales';
import { InvoiceEntity, InvoiceLookupEntity } from './invoice-entity';
import { OutboxEntity } from '../kernel/outbox-entity';
import { QuoteEntity } from '../sales/quote-entity';
import { TimelineEntity } from '../kernel/timeline-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ invoice: InvoiceEntity, invoiceLookup: InvoiceLookupEntity, outbox: OutboxEntity, quote: QuoteEntity, timeline: TimelineEntity });

type SourceLink = { type: 'deal' | 'quote'; id: string };

function sourceLinkOf(change: InvoiceChange | undefined): SourceLink | null {
  const source = change?.after.source;
  return source && (source.type === 'deal' || source.type === 'quote') ? { type: source.type, id: source.id } : null;
}

/**
 * The invoice store of invoices made from deals and quotes: its create of an invoice from a deal or quote also
 * writes, in the SAME transaction, the 'invoice_created' entry on the source's timeline and, for a quote, the
 * quote's `invoiceId` under the condition that it has none yet: two concurrent creates from one quote cannot
 * both succeed, the loser gets 409 naming the winner's invoice (unless `allowDuplicate`). Every other commit
 * goes to `base`. (Which quotes may be invoiced at all is the domain's rule: sales' InvoiceSources.reader.)
 */
export function linkedInvoiceStore(service: CrmService, base: InvoiceStore, options: { allowDuplicate?: boolean } = {}): InvoiceStore {
  const allowDuplicate = options.allowDuplicate ?? false;

  async function commitLinked(commit: InvoiceCommit, link: SourceLink, claimQuote: boolean): Promise<CommitResult | 'claimed'> {
    const change = commit.changes[0]!;
    const { after } = change;
    const actor = change.timeline[0]?.actor ?? { type: 'system' as const, id: 'system' };
    const data = { invoiceId: after.id, type: after.type, total: after.totals.total, currency: after.currency };
    const linkEntries = [
      timelineEntry({ tenantId: after.tenantId, subjectType: link.type, subjectId: link.id, kind: 'invoice_created', actor, at: after.createdAt, data }),
    ];
    // an invoice from a quote of a deal shows on the deal's timeline too
    if (link.type === 'quote' && after.dealId) {
      linkEntries.push(
        timelineEntry({
          tenantId: after.tenantId,
          subjectType: 'deal',
          subjectId: after.dealId,
          kind: 'invoice_created',
          actor,
          at: after.createdAt,
          data: { ...data, quoteId: link.id },
        }),
      );
    }
    // the quote's item comes last (when the source is a quote)
    const quoteIndex = link.type === 'quote' ? 2 + change.timeline.length + change.events.length + linkEntries.length : -1;
    const result = await service.transaction
      .write(({ invoice, invoiceLookup, timeline, outbox, quote }) => [
        invoice.create(toInvoiceRecord(after)).commit(),
        invoiceLookup.put(toLookupRecord(after)).commit(),
        ...change.timeline.map((entry) => timeline.create(entry).commit()),
        ...change.events.map((event) => outbox.create(event).commit()),
        ...linkEntries.map((entry) => timeline.create(entry).commit()),
        ...(link.type !== 'quote'
          ? []
          : claimQuote
            ? [
                quote
                  .patch({ tenantId: after.tenantId, id: link.id })
                  .set({ invoiceId: after.id, updatedAt: after.createdAt })
                  .add({ version: 1 })
                  .where((a, { notExists }) => notExists(a.invoiceId))
                  .commit(),
              ]
            : // a further invoice, asked for: the quote keeps pointing at its first one, and must still exist
              [
                quote
                  .check({ tenantId: after.tenantId, id: link.id })
                  .where((a, { exists }) => exists(a.id))
                  .commit(),
              ]),
      ])
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
        if (!allowDuplicate) throw InvoiceSources.alreadyInvoiced(link.id, winner ?? 'unknown');
        claim = false;
      }
      return { outcome: 'contention' };
    },
  };

  return invoices;
}
