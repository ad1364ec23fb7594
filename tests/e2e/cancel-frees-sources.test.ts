import { beforeAll, describe, expect, it } from 'vitest';
import { aDeal, aLine } from '../fixtures/builders';
import { aClient } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * Cancelling an issued invoice gives back the operations it billed (as Odoo puts the sale order back to "to
 * invoice"): the quote of an invoice made from a quote, every deal and quote of a recapitulative invoice, released
 * in the transaction that cancels it, only where they still name it, with an `invoice_cancelled` entry on each
 * timeline. A partial credit note frees nothing; a retried or concurrent cancel writes it once; a cancel whose
 * credit note was made but not issued (a crash) frees them when retried; 40 sources fit in the one transaction.
 */
const stack = useLocalStack();
let tenant: TestTenant;
let api: ApiClient;

const month = new Date().toISOString().slice(0, 7);
type TimelineEntry = { kind: string; subjectType: string; data: Record<string, unknown> };

beforeAll(async () => {
  tenant = await makeTenant('Liberar');
  api = apiClient(() => stack().apiUrl, tenant.adminKey);
});

async function entities() {
  const { service } = await import('../../functions/shared/wiring/core');
  return service().entities;
}

/** A quote of the client, accepted now (written as the public page does: status and acceptedAt). */
async function anAcceptedQuote(companyId: string, options: { dealId?: string; unitPrice?: string } = {}) {
  const res = await api.post('/v1/quotes', {
    companyId,
    currency: 'EUR',
    ...(options.dealId ? { dealId: options.dealId } : {}),
    lines: [aLine({ description: 'Presupuesto', quantity: '1', unitPrice: options.unitPrice ?? '100.00', taxRate: '21' })],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await (await entities()).quote.patch({ tenantId: tenant.tenantId, id: res.body.id }).set({ status: 'accepted', acceptedAt: new Date().toISOString() }).go();
  return res.body as { id: string };
}

async function aWonDeal(companyId: string, title: string, unitPrice = '50.00') {
  const res = await api.post(
    '/v1/deals',
    aDeal({ title, companyId, stage: 'WON', lines: [aLine({ description: title, quantity: '1', unitPrice, taxRate: '21' })] }),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

/** Issues a draft (to VIEWED: no automation renders or sends it). */
async function issue(id: string) {
  const res = await api.post(`/v1/invoices/${id}/stage`, { stage: 'VIEWED' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { id: string; number: string };
}

async function fromQuote(quoteId: string) {
  const res = await api.post('/v1/invoices', { from: { quoteId }, dueDate: '2030-01-31' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

const timelineOf = async (path: string): Promise<TimelineEntry[]> => (await api.get(`${path}/timeline?limit=100`)).body.data;
const cancelledEntries = async (path: string) => (await timelineOf(path)).filter((e) => e.kind === 'invoice_cancelled');

describe('cancelling an invoice frees what it billed', () => {
  it('an invoice from a quote: cancelled, the quote (still accepted) can be invoiced again and names the new invoice; both timelines say so', async () => {
    // Prepare: a quote of a deal, invoiced and issued
    const client = await aClient(api);
    const deal = (await api.post('/v1/deals', aDeal({ title: 'Obra', companyId: client.id }))).body as { id: string };
    const quote = await anAcceptedQuote(client.id, { dealId: deal.id });
    const first = await fromQuote(quote.id);
    const issued = await issue(first.id);
    const refused = await api.post('/v1/invoices', { from: { quoteId: quote.id } });

    // Act
    const cancelled = await api.post(`/v1/invoices/${first.id}/cancel`, { reason: 'R4', reasonText: 'wrong price' });
    const freed = (await api.get(`/v1/quotes/${quote.id}`)).body;
    const again = await api.post('/v1/invoices', { from: { quoteId: quote.id } });
    const after = (await api.get(`/v1/quotes/${quote.id}`)).body;

    // Assess
    expect(refused.status).toBe(409);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ id: first.id, stage: 'CANCELLED', status: 'void' });
    expect(freed.invoiceId).toBeUndefined();
    expect(freed.status).toBe('accepted');
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.source).toEqual({ type: 'quote', id: quote.id });
    expect(after.invoiceId).toBe(again.body.id);
    expect(after.status).toBe('accepted');
    const data = {
      invoiceId: first.id,
      number: issued.number,
      type: 'invoice',
      total: '121.00',
      currency: 'EUR',
      creditNoteId: cancelled.body.creditNote.id,
      creditNoteNumber: cancelled.body.creditNote.number,
    };
    expect(await cancelledEntries(`/v1/quotes/${quote.id}`)).toEqual([expect.objectContaining({ subjectType: 'quote', data })]);
    expect(await cancelledEntries(`/v1/deals/${deal.id}`)).toEqual([expect.objectContaining({ subjectType: 'deal', data: { ...data, quoteId: quote.id } })]);
    // the new invoice's creation follows the cancellation on the quote's timeline
    const kinds = (await timelineOf(`/v1/quotes/${quote.id}`)).map((e) => e.kind).filter((k) => k.startsWith('invoice_'));
    expect(kinds).toEqual(['invoice_created', 'invoice_cancelled', 'invoice_created']);
  });

  it('a recapitulative invoice of 2 deals and 1 quote: cancelled, a new one for the same month and sources is made', async () => {
    // Prepare
    const client = await aClient(api);
    const deals = [await aWonDeal(client.id, 'Instalación'), await aWonDeal(client.id, 'Revisión')];
    const quote = await anAcceptedQuote(client.id);
    const body = { companyId: client.id, month, dealIds: deals.map((d) => d.id), quoteIds: [quote.id], dueDate: '2030-01-31' };
    const made = await api.post('/v1/invoices/recapitulative', body);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const issued = await issue(made.body.id);
    const refused = await api.post('/v1/invoices/recapitulative', body);

    // Act
    const cancelled = await api.post(`/v1/invoices/${made.body.id}/cancel`, { reason: 'R4' });
    const again = await api.post('/v1/invoices/recapitulative', body);

    // Assess
    expect(refused.status).toBe(409);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.sources).toHaveLength(3);
    expect(again.body.totals).toEqual(made.body.totals);
    for (const path of [...deals.map((d) => `/v1/deals/${d.id}`), `/v1/quotes/${quote.id}`]) {
      expect((await api.get(path)).body.invoiceId).toBe(again.body.id);
      expect(await cancelledEntries(path)).toEqual([
        expect.objectContaining({
          data: expect.objectContaining({ invoiceId: made.body.id, number: issued.number, recapitulative: true, creditNoteId: cancelled.body.creditNote.id }),
        }),
      ]);
    }
  });

  it('a partial credit note frees nothing; the cancel that follows does', async () => {
    // Prepare
    const client = await aClient(api);
    const quote = await anAcceptedQuote(client.id);
    const invoice = await fromQuote(quote.id);
    await issue(invoice.id);

    // Act
    const note = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R1', lines: [{ line: 0, amount: '40.00' }] });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    await issue(note.body.id);
    const afterNote = (await api.get(`/v1/quotes/${quote.id}`)).body;
    const refused = await api.post('/v1/invoices', { from: { quoteId: quote.id } });
    const cancelled = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4' });

    // Assess
    expect(afterNote.invoiceId).toBe(invoice.id);
    expect(refused.status).toBe(409);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect((await api.get(`/v1/quotes/${quote.id}`)).body.invoiceId).toBeUndefined();
    expect(await cancelledEntries(`/v1/quotes/${quote.id}`)).toHaveLength(1);
  });

  it('leaves alone a source that names another invoice: only those still pointing at the cancelled one are released', async () => {
    // Prepare: a recapitulative of two deals; one of them re-pointed at another invoice meanwhile
    const client = await aClient(api);
    const kept = await aWonDeal(client.id, 'Uno');
    const taken = await aWonDeal(client.id, 'Dos');
    const made = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month, dealIds: [kept.id, taken.id], dueDate: '2030-01-31' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await issue(made.body.id);
    const other = `inv_${'1'.repeat(26)}`;
    await (await entities()).deal.patch({ tenantId: tenant.tenantId, id: taken.id }).set({ invoiceId: other }).go();
    const takenBefore = (await api.get(`/v1/deals/${taken.id}`)).body;

    // Act
    const cancelled = await api.post(`/v1/invoices/${made.body.id}/cancel`, { reason: 'R4' });

    // Assess
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect((await api.get(`/v1/deals/${kept.id}`)).body.invoiceId).toBeUndefined();
    const takenAfter = (await api.get(`/v1/deals/${taken.id}`)).body;
    expect(takenAfter.invoiceId).toBe(other);
    expect(takenAfter.version).toBe(takenBefore.version);
    expect(await cancelledEntries(`/v1/deals/${kept.id}`)).toHaveLength(1);
    expect(await cancelledEntries(`/v1/deals/${taken.id}`)).toEqual([]);
  });

  it('two cancels at once and a retry: one wins, the others are refused, the quote is released once', async () => {
    // Prepare
    const client = await aClient(api);
    const quote = await anAcceptedQuote(client.id);
    const invoice = await fromQuote(quote.id);
    await issue(invoice.id);
    const before = (await api.get(`/v1/quotes/${quote.id}`)).body;

    // Act
    const both = await Promise.all([
      api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4' }),
      api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4' }),
    ]);
    const retried = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4' });
    const after = (await api.get(`/v1/quotes/${quote.id}`)).body;

    // Assess
    // the loser is refused: 409 once the invoice is cancelled, 422 while the winner's note holds the whole of it
    const statuses = both.map((r) => r.status).sort();
    expect(statuses[0], JSON.stringify(both.map((r) => r.body))).toBe(200);
    expect([409, 422]).toContain(statuses[1]);
    expect(retried.status).toBe(409);
    expect(after.invoiceId).toBeUndefined();
    expect(after.version).toBe(before.version + 1);
    expect(await cancelledEntries(`/v1/quotes/${quote.id}`)).toHaveLength(1);
  });

  it('a cancel interrupted after making its credit note (a crash): the retry issues that note and frees the quote', async () => {
    // Prepare: the first half of a cancel, as a crash would leave it (the note made, not issued)
    const client = await aClient(api);
    const quote = await anAcceptedQuote(client.id);
    const invoice = await fromQuote(quote.id);
    await issue(invoice.id);
    const { Corrections } = await import('../../functions/domain/invoicing');
    const { invoicePorts } = await import('../../functions/shared/wiring/invoicing');
    const pending = await Corrections.createCreditNote(invoicePorts(), {
      tenantId: tenant.tenantId,
      id: invoice.id,
      actor: { type: 'user', id: 'usr_admin' },
      cancelsOriginal: true,
      input: { reason: 'R4', full: true, method: 'differences', settle: 'credit' },
    });
    const stillHeld = (await api.get(`/v1/quotes/${quote.id}`)).body.invoiceId;

    // Act
    const retried = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4' });

    // Assess
    expect(stillHeld).toBe(invoice.id);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.creditNote.id).toBe(pending.id);
    expect((await api.get(`/v1/quotes/${quote.id}`)).body.invoiceId).toBeUndefined();
    expect(await cancelledEntries(`/v1/quotes/${quote.id}`)).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ creditNoteId: pending.id }) }),
    ]);
  });

  it('a draft from a quote moved to CANCELLED (never issued) frees the quote too', async () => {
    // Prepare
    const client = await aClient(api);
    const quote = await anAcceptedQuote(client.id);
    const draft = await fromQuote(quote.id);

    // Act
    const moved = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'CANCELLED' });

    // Assess
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ status: 'void', number: null });
    expect((await api.get(`/v1/quotes/${quote.id}`)).body.invoiceId).toBeUndefined();
    expect(await cancelledEntries(`/v1/quotes/${quote.id}`)).toEqual([
      expect.objectContaining({ data: expect.not.objectContaining({ number: expect.anything() }) }),
    ]);
  });
});

describe('a cancel retried with its Idempotency-Key', () => {
  it('answers the first answer again and writes nothing more: the quote freed once, one entry', async () => {
    // Prepare
    const client = await aClient(api);
    const quote = await anAcceptedQuote(client.id);
    const invoice = await fromQuote(quote.id);
    await issue(invoice.id);
    const key = { 'idempotency-key': `cancel-${invoice.id}` };

    // Act
    const first = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4' }, key);
    const replay = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4' }, key);
    const after = (await api.get(`/v1/quotes/${quote.id}`)).body;

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(replay.status).toBe(200);
    expect(replay.body.creditNote.id).toBe(first.body.creditNote.id);
    expect(after.invoiceId).toBeUndefined();
    expect(await cancelledEntries(`/v1/quotes/${quote.id}`)).toHaveLength(1);
  });
});

describe('deleting a draft', () => {
  it('made from a quote gives the quote back too (no entry: the draft never existed for the client)', async () => {
    // Prepare
    const client = await aClient(api);
    const quote = await anAcceptedQuote(client.id);
    const draft = await fromQuote(quote.id);
    const before = (await api.get(`/v1/quotes/${quote.id}`)).body;

    // Act
    const deleted = await api.del(`/v1/invoices/${draft.id}`);
    const again = await api.post('/v1/invoices', { from: { quoteId: quote.id } });

    // Assess
    expect(before.invoiceId).toBe(draft.id);
    expect(deleted.status).toBe(204);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect((await api.get(`/v1/quotes/${quote.id}`)).body.invoiceId).toBe(again.body.id);
    expect(await cancelledEntries(`/v1/quotes/${quote.id}`)).toEqual([]);
  });
});

describe('40 sources, register on', () => {
  it('a recapitulative invoice of 40 deals is cancelled in one transaction (register records included) and frees all 40', async () => {
    // Prepare: the register on (its records and chain head ride in the same transaction), 40 won deals
    const own = await makeTenant('Cuarenta');
    const client40 = apiClient(() => stack().apiUrl, own.adminKey);
    const { tenants } = await import('../../functions/shared/wiring/tenancy');
    const stored = (await tenants().getTenant(own.tenantId))!;
    await tenants().saveTenantSettings(own.tenantId, { ...stored.settings, verifactu: { enabled: true, issuerTaxId: 'B12345674' } }, stored.version);
    const client = await aClient(client40);
    const deals: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await client40.post(
        '/v1/deals',
        aDeal({ title: `Op ${i}`, companyId: client.id, stage: 'WON', lines: [aLine({ quantity: '1', unitPrice: '10.00' })] }),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      deals.push(res.body.id);
    }
    const made = await client40.post('/v1/invoices/recapitulative', { companyId: client.id, month, dealIds: deals, dueDate: '2030-01-31' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect((await client40.post(`/v1/invoices/${made.body.id}/stage`, { stage: 'VIEWED' })).status).toBe(200);

    // Act
    const cancelled = await client40.post(`/v1/invoices/${made.body.id}/cancel`, { reason: 'R4' });

    // Assess
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'void', stage: 'CANCELLED' });
    const chain = (await client40.get(`/v1/register?from=${month}-01&limit=100`)).body.data as { invoiceId: string; kind: string }[];
    expect(chain.filter((r) => r.invoiceId === made.body.id).map((r) => r.kind)).toEqual(['alta', 'anulacion']);
    const freed = await Promise.all(deals.map(async (id) => (await client40.get(`/v1/deals/${id}`)).body.invoiceId));
    expect(freed.filter((v) => v !== undefined)).toEqual([]);
    const again = await client40.post('/v1/invoices/recapitulative', { companyId: client.id, month, dealIds: deals });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
  });
});
