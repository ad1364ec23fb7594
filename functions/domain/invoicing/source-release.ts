/**
 * What an invoice gives back when it becomes void (pure). An invoice made from a quote holds the quote (its
 * `invoiceId`), a recapitulative invoice every deal and quote it groups; while they point at it they cannot be
 * invoiced again. Deleting a draft gives them back (the store, source-linking.ts); so does a write that voids
 * an invoice (status from draft, issued or paid to void: a cancel, whose credit note moves the original to
 * CANCELLED, or a move to the failure stage): in the same transaction, only where the source still names this
 * invoice, with an `invoice_cancelled` entry on each source's timeline (and on the deal of a quote). A credit
 * note that corrects part of an invoice voids nothing and gives nothing back. Like Odoo, where cancelling the
 * invoice puts the sale order back to "to invoice"; the quote stays accepted.
 *
 * The store applies it; this module says which sources and how many transaction items that takes, so that the
 * issue queue (issuing.ts) never puts more than DynamoDB's 100 items in one transaction.
 */
import { timelineEntry, type Actor, type TimelineEntry } from '../kernel';
import type { Invoice, InvoiceChange } from './model';

export type SourceLink = { type: 'deal' | 'quote'; id: string };

/** The deals and quotes an invoice was made from: every entry of `sources`, or its `source` when a deal or a quote. */
export function sourceLinksOf(invoice: Pick<Invoice, 'source' | 'sources'>): SourceLink[] {
  if (invoice.sources?.length) return invoice.sources.map(({ type, id }) => ({ type, id }));
  const source = invoice.source;
  return source && (source.type === 'deal' || source.type === 'quote') ? [{ type: source.type, id: source.id }] : [];
}

export interface VoidedInvoice {
  /** The invoice as the write leaves it (void). */
  invoice: Invoice;
  /** The sources it may still hold (the store releases those that still name it). */
  links: SourceLink[];
  /** The credit note whose issue voids it (a cancel), when one. */
  creditNote?: { id: string; number?: string };
  /** Who voids it (the actor of its change's first timeline entry). */
  actor: Actor;
}

/** Whether a change voids its invoice: from any other status to void (a deletion is not a void). */
export function voids(change: InvoiceChange): boolean {
  return !change.delete && change.before !== null && change.before.status !== 'void' && change.after.status === 'void';
}

/** The invoices a write voids that were made from deals or quotes, in the order of the write (linked changes included). */
export function voidedWithSources(changes: readonly InvoiceChange[]): VoidedInvoice[] {
  const out: VoidedInvoice[] = [];
  const visit = (change: InvoiceChange, parent: InvoiceChange | null) => {
    if (voids(change)) {
      const links = sourceLinksOf(change.after);
      const note = parent?.after.type === 'credit_note' ? parent.after : null;
      if (links.length > 0) {
        out.push({
          invoice: change.after,
          links,
          actor: change.timeline[0]?.actor ?? parent?.timeline[0]?.actor ?? { type: 'system', id: 'system' },
          ...(note ? { creditNote: { id: note.id, ...(note.number ? { number: note.number } : {}) } } : {}),
        });
      }
    }
    for (const linked of change.linked ?? []) visit(linked, change);
  };
  for (const change of changes) visit(change, null);
  return out;
}

/** The entry of a quote's invoice on the quote's deal too (as when it was created): only for an invoice of one quote. */
export function dealOfQuote(voided: VoidedInvoice): string | null {
  const { invoice, links } = voided;
  return !invoice.sources?.length && links.length === 1 && links[0]!.type === 'quote' && invoice.dealId ? invoice.dealId : null;
}

/** At most how many transaction items releasing them takes: per source its write and its timeline entry, and the deal's entry. */
export function releaseItems(voided: readonly VoidedInvoice[]): number {
  return voided.reduce((n, v) => n + 2 * v.links.length + (dealOfQuote(v) ? 1 : 0), 0);
}

/**
 * The timeline entries of giving `held` back (those of the voided invoice's sources that still named it): an
 * `invoice_cancelled` entry on each, and on the deal of a quote when the invoice was made from that one quote.
 */
export function releaseEntries(voided: VoidedInvoice, held: readonly SourceLink[]): TimelineEntry[] {
  const { invoice, actor, creditNote } = voided;
  const data = {
    invoiceId: invoice.id,
    ...(invoice.number ? { number: invoice.number } : {}),
    type: invoice.type,
    total: invoice.totals.total,
    currency: invoice.currency,
    ...(invoice.recapitulative ? { recapitulative: true } : {}),
    ...(creditNote ? { creditNoteId: creditNote.id, ...(creditNote.number ? { creditNoteNumber: creditNote.number } : {}) } : {}),
  };
  const at = invoice.updatedAt;
  const entries = held.map((link) =>
    timelineEntry({ tenantId: invoice.tenantId, subjectType: link.type, subjectId: link.id, kind: 'invoice_cancelled', actor, at, data }),
  );
  const dealId = dealOfQuote(voided);
  if (dealId && held.length === 1 && held[0]!.type === 'quote') {
    entries.push(
      timelineEntry({
        tenantId: invoice.tenantId,
        subjectType: 'deal',
        subjectId: dealId,
        kind: 'invoice_cancelled',
        actor,
        at,
        data: { ...data, quoteId: held[0]!.id },
      }),
    );
  }
  return entries;
}
