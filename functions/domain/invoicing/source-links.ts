/**
 * The deals and quotes an invoice is made from (pure): the entries on their timelines when it is made
 * (`invoice_created`, written by the store that claims them: source-linking.ts), and what it gives back when it goes. An invoice made from a quote holds the quote (its `invoiceId`), a
 * recapitulative invoice every deal and quote it groups; while they point at it they cannot be invoiced again.
 * A write that deletes such a draft, or VOIDS such an invoice (status from draft, issued or paid to void: a cancel,
 * whose credit note moves the original to CANCELLED, or a move to the failure stage), gives them back in the same
 * transaction, only where the source still names this invoice (the store, source-linking.ts), and, for a void,
 * writes an `invoice_cancelled` entry on each source's timeline (and on the deal of a quote). A credit note that
 * corrects part of an invoice voids nothing and gives nothing back. As in Odoo, where cancelling the invoice puts
 * the sale order back to "to invoice"; the quote stays accepted.
 *
 * The store applies it; this module says which sources and how many transaction items that takes at most, so
 * that the issue queue (issuing.ts) never puts more than DynamoDB's 100 items in one transaction.
 */
import { timelineEntry, withoutEmpty, type Actor, type TimelineEntry } from '../kernel';
import type { Invoice, InvoiceChange } from './model';

export type SourceLink = { type: 'deal' | 'quote'; id: string };

export interface Release {
  /** The invoice as the write leaves it (void), or the draft it deletes. */
  invoice: Invoice;
  /** The sources it may still hold (the store releases those that still name it). */
  links: SourceLink[];
  /** A void (not a deletion): when it happens, who does it, and the credit note whose issue does it (a cancel). */
  voided?: { at: string; actor: Actor; creditNote?: Invoice };
}

/** The invoices a write deletes or voids that were made from deals or quotes, in the order of the write (linked changes included). */
export function releasesOf(changes: readonly InvoiceChange[], parent?: InvoiceChange): Release[] {
  return changes.flatMap((change) => {
    const { before, after } = change;
    const invoice = change.delete ? before : after;
    const source = invoice?.source;
    const links = (invoice?.sources ?? (source?.type === 'deal' || source?.type === 'quote' ? [source] : [])) as SourceLink[];
    const voids = !change.delete && before && before.status !== 'void' && after.status === 'void';
    const own: Release[] =
      links.length && before && (change.delete || voids)
        ? [
            {
              invoice: invoice!,
              links,
              ...(voids && {
                voided: {
                  at: after.updatedAt,
                  actor: change.timeline[0]?.actor ?? parent?.timeline[0]?.actor ?? { type: 'system', id: 'system' },
                  ...(parent?.after.type === 'credit_note' && { creditNote: parent.after }),
                },
              }),
            },
          ]
        : [];
    return [...own, ...releasesOf(change.linked ?? [], change)];
  });
}

/** At most how many transaction items giving them back takes: per source its write and its entry, and the entry on a quote's deal. */
export const releaseItems = (releases: readonly Release[]) => releases.reduce((n, r) => n + 2 * r.links.length + 1, 0);

/** The entries of `kind` on each source's timeline, and on the quote's deal when the invoice is made from that one quote. */
export function sourceEntries(invoice: Invoice, links: readonly SourceLink[], kind: string, actor: Actor, at: string, data: object): TimelineEntry[] {
  const entry = (subjectType: string, subjectId: string, more = {}) =>
    timelineEntry({ tenantId: invoice.tenantId, subjectType, subjectId, kind, actor, at, data: withoutEmpty({ ...data, ...more }) });
  const entries = links.map((link) => entry(link.type, link.id));
  const quote = links.length === 1 && !invoice.sources && links[0]!.type === 'quote' ? links[0]! : null;
  if (quote && invoice.dealId) entries.push(entry('deal', invoice.dealId, { quoteId: quote.id }));
  return entries;
}

/** The entries of giving back `held` (those of the sources that still named the invoice): for a void, `invoice_cancelled`. */
export function releaseEntries({ invoice, voided }: Release, held: readonly SourceLink[]): TimelineEntry[] {
  return voided
    ? sourceEntries(invoice, held, 'invoice_cancelled', voided.actor, voided.at, {
        invoiceId: invoice.id,
        number: invoice.number,
        type: invoice.type,
        total: invoice.totals.total,
        currency: invoice.currency,
        recapitulative: invoice.recapitulative,
        creditNoteId: voided.creditNote?.id,
        creditNoteNumber: voided.creditNote?.number,
      })
    : [];
}
