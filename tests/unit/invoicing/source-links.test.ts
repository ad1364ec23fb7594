import { describe, expect, it } from 'vitest';
import { createIssueQueue, MAX_TRANSACTION_ITEMS, writeItems } from '../../../functions/domain/invoicing/issuing';
import { SourceLinks, type InvoiceChange, type InvoiceStore } from '../../../functions/domain/invoicing';
import type { Invoice } from '../../../functions/domain/invoicing/model';

const { releasesOf, releaseEntries, releaseItems, sourceEntries } = SourceLinks;
const tenantId = 'ten_01jtenant0000000000000000';
const actor = { type: 'user' as const, id: 'usr_clerk' };

/** Just what these rules read of an invoice. */
function anInvoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    tenantId,
    id: 'inv_original',
    type: 'invoice',
    status: 'issued',
    stage: 'SENT',
    number: 'INV-2026-000001',
    currency: 'EUR',
    totals: { net: '100.00', tax: '21.00', total: '121.00' },
    updatedAt: '2026-03-14T10:00:00.000Z',
    ...overrides,
  } as Invoice;
}

const entry = {
  tenantId,
  id: 'tl_1',
  subjectType: 'invoice',
  subjectId: 'inv_original',
  kind: 'stage_changed',
  at: '2026-03-14T10:00:00.000Z',
  actor,
  data: {},
};

function change(before: Invoice | null, after: Invoice, more: Partial<InvoiceChange> = {}): InvoiceChange {
  return { before, after, timeline: [entry], events: [], ...more };
}

const fromQuote = anInvoice({ source: { type: 'quote', id: 'quo_1' }, quoteId: 'quo_1', dealId: 'deal_9' });
const recap = anInvoice({
  recapitulative: true,
  sources: [
    { type: 'deal', id: 'deal_1' },
    { type: 'quote', id: 'quo_2' },
  ],
});
const voided = (invoice: Invoice) => ({ ...invoice, status: 'void' as const, stage: 'CANCELLED', version: 2 });
const note = anInvoice({ id: 'inv_note', type: 'credit_note', number: 'CN-2026-000001', source: { type: 'invoice', id: 'inv_original' } });

describe('what a voided invoice gives back', () => {
  it("a cancel's credit note voiding an invoice from a quote: the quote, with the note", () => {
    const write = change(null, note, { linked: [change(fromQuote, voided(fromQuote))] });

    expect(releasesOf([write])).toEqual([
      expect.objectContaining({
        links: [{ type: 'quote', id: 'quo_1' }],
        voided: { at: fromQuote.updatedAt, actor, creditNote: expect.objectContaining({ id: 'inv_note', number: 'CN-2026-000001' }) },
      }),
    ]);
  });

  it('every source of a recapitulative invoice; a draft moved to the failure stage too', () => {
    const draft = anInvoice({ status: 'draft', number: undefined, source: { type: 'quote', id: 'quo_3' } });

    expect(releasesOf([change(recap, voided(recap))])[0]!.links).toEqual([
      { type: 'deal', id: 'deal_1' },
      { type: 'quote', id: 'quo_2' },
    ]);
    expect(releasesOf([change(draft, voided(draft))])[0]!.links).toEqual([{ type: 'quote', id: 'quo_3' }]);
  });

  it('a deleted draft gives its sources back without an entry; nothing for a partial credit note, an invoice already void or one of no deal or quote', () => {
    const partial = change(null, note, { linked: [change(fromQuote, { ...fromQuote, version: 2 })] });
    const deletion = change(recap, recap, { delete: true, timeline: [] });
    const already = change(voided(fromQuote), voided(fromQuote));
    const plain = anInvoice();

    const deleted = releasesOf([deletion]);
    expect(deleted).toEqual([{ invoice: recap, links: recap.sources }]);
    expect(releaseEntries(deleted[0]!, recap.sources!)).toEqual([]);
    expect(releasesOf([partial, already, change(plain, voided(plain)), change(note, voided(note))])).toEqual([]);
  });

  it("writes an invoice_cancelled entry on each source held, and on the quote's deal for an invoice of one quote", () => {
    const [single] = releasesOf([change(null, note, { linked: [change(fromQuote, voided(fromQuote))] })]);
    const [grouped] = releasesOf([change(recap, voided(recap))]);

    const onQuote = releaseEntries(single!, single!.links);
    const onlyDeal = releaseEntries(grouped!, [{ type: 'deal', id: 'deal_1' }]);

    const data = { invoiceId: 'inv_original', number: 'INV-2026-000001', type: 'invoice', total: '121.00', currency: 'EUR' };
    expect(onQuote).toEqual([
      expect.objectContaining({
        subjectType: 'quote',
        subjectId: 'quo_1',
        kind: 'invoice_cancelled',
        actor,
        data: { ...data, creditNoteId: 'inv_note', creditNoteNumber: 'CN-2026-000001' },
      }),
      expect.objectContaining({ subjectType: 'deal', subjectId: 'deal_9', data: expect.objectContaining({ quoteId: 'quo_1' }) }),
    ]);
    expect(onlyDeal).toEqual([expect.objectContaining({ subjectType: 'deal', subjectId: 'deal_1', data: { ...data, recapitulative: true } })]);
    expect(releaseEntries(single!, [])).toEqual([]);
    // the same entries when it is made: invoice_created
    expect(
      sourceEntries(fromQuote, single!.links, 'invoice_created', actor, fromQuote.updatedAt, { invoiceId: 'inv_original' }).map((e) => e.subjectId),
    ).toEqual(['quo_1', 'deal_9']);
  });
});

describe('transaction items', () => {
  it('a cancel of a 40-source recapitulative invoice fits in one transaction with the counter and the register head', () => {
    const forty = anInvoice({ recapitulative: true, sources: Array.from({ length: 40 }, (_, i) => ({ type: 'deal' as const, id: `deal_${i}` })) });
    const original = change(forty, voided(forty), { timeline: [entry, entry], events: [{} as never] });
    const write = change(null, note, {
      events: [{} as never],
      linked: [original],
      ledger: [{ kind: 'allocation' } as never, { kind: 'refund' } as never],
    });

    expect(releaseItems(releasesOf([write]))).toBe(81);
    expect(writeItems(write)).toBe(5 + 6 + 2 + 81);
    expect(1 + writeItems(write) + 1).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
  });

  it('the issue queue puts a big write in a batch of its own, and small ones together', async () => {
    const batches: number[] = [];
    const store = {
      getCounter: async () => null,
      commit: async (commit: { changes: unknown[] }) => {
        batches.push(commit.changes.length);
        await new Promise((r) => setTimeout(r, 1));
        return { outcome: 'ok' as const };
      },
    } as unknown as InvoiceStore;
    const queue = createIssueQueue();
    const request = (items: number) => ({
      tenantId,
      series: 'credit_note',
      format: 'CN-{YYYY}-{000000}',
      issueDate: '2026-03-14',
      sizeHint: 1000,
      items,
      build: () => change(null, note),
    });

    await Promise.all([queue.issue(store, request(6)), queue.issue(store, request(95)), queue.issue(store, request(6)), queue.issue(store, request(6))]);

    expect(batches).toEqual([1, 1, 2]);
  });
});
