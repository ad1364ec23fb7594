import { beforeAll, describe, expect, it } from 'vitest';
import { aClient, issuedInvoice, todayUtc } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * Corrections through the HTTP API on the local stack: credit notes (partial, the caps with `remaining`, two
 * at once), issuing applies them to the balance due (the rest as client credit, refunded or settled outside),
 * cancellation (a full credit note + CANCELLED), deleting drafts only.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;

beforeAll(async () => {
  tenant = await makeTenant('Corrections');
  api = apiClient(url, tenant.adminKey);
});

/** 100.00 at 21 % VAT, no withholding: payable 121.00. */
const plainLine = [{ description: 'Consulting', quantity: '4', unitPrice: '25.00', taxRate: '21' }];
const issue = (id: string) => api.post(`/v1/invoices/${id}/stage`, { stage: 'SENT' });
const balanceOf = async (clientId: string) => (await api.get(`/v1/companies/${clientId}/balance`)).body.data[0];

describe('credit notes', () => {
  it('credits part of an invoice, refuses a second one beyond what remains (422 with remaining), and applies it when issued', async () => {
    // Prepare
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: plainLine });

    // Act
    const first = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, {
      reason: 'R1',
      reasonText: 'price agreed was lower',
      lines: [{ line: 0, amount: '60.00' }],
    });
    const second = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R1', lines: [{ line: 0, amount: '50.00' }] });
    const issued = await issue(first.body.id);
    const original = (await api.get(`/v1/invoices/${invoice.id}`)).body;

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      type: 'credit_note',
      status: 'draft',
      number: null,
      reason: 'R1',
      reasonText: 'price agreed was lower',
      method: 'differences',
      corrects: [{ invoiceId: invoice.id, number: invoice.number, issueDate: todayUtc() }],
      totals: { net: '-60.00', tax: '-12.60', total: '-72.60' },
    });
    expect(first.body.lines[0]).toMatchObject({ quantity: '-1', unitPrice: '60.00', taxRate: '21', netAmount: '-60.00' });
    expect(second.status, JSON.stringify(second.body)).toBe(422);
    expect(second.body.remaining).toBe('40.00');
    expect(second.body.errors[0].field).toBe('lines[0].amount');
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body).toMatchObject({ status: 'issued', fiscalType: 'R1', number: expect.stringMatching(/^CN-\d{4}-0+1$/) });
    expect(issued.body.credit).toEqual({ amount: '72.60', applied: '72.60', refunded: '0.00', settledOutside: '0.00', unapplied: '0.00' });
    expect(original).toMatchObject({ fiscalType: 'F1', amountCredited: '72.60', balanceDue: '48.40', paymentStatus: 'partially_paid' });
    expect(original.correctedBy).toEqual([expect.objectContaining({ invoiceId: first.body.id, number: issued.body.number, status: 'issued' })]);
  });

  it('credits by quantity, keeps the VAT per rate and reverses the withholding in proportion', async () => {
    // Prepare: 2 x 50.00 at 21 % with 15 % IRPF, 1 x 20.00 at 10 %
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, {
      lines: [
        { description: 'Hours', quantity: '2', unitPrice: '50.00', taxRate: '21', withholdingRate: '15' },
        { description: 'Book', quantity: '1', unitPrice: '20.00', taxRate: '10' },
      ],
    });

    // Act
    const note = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, {
      reason: 'R4',
      lines: [
        { line: 0, quantity: '1' },
        { line: 1, quantity: '1' },
      ],
    });
    const tooMany = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R4', lines: [{ line: 0, quantity: '2' }] });
    const noLine = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R4', lines: [{ line: 5, quantity: '1' }] });

    // Assess
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect(note.body.totals).toMatchObject({
      net: '-70.00',
      tax: '-12.50',
      withholding: '-7.50',
      total: '-75.00',
      taxBreakdown: [
        { rate: '21', base: '-50.00', amount: '-10.50' },
        { rate: '10', base: '-20.00', amount: '-2.00' },
      ],
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.remaining).toBe('50.00');
    expect(noLine.status).toBe(422);
    expect(noLine.body.errors[0].field).toBe('lines[0].line');
  });

  it('lets only one of two concurrent credit notes take the last amount', async () => {
    // Prepare
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: plainLine });

    // Act
    const both = await Promise.all([
      api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R4', lines: [{ line: 0, amount: '60.00' }] }),
      api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R4', lines: [{ line: 0, amount: '60.00' }] }),
    ]);
    const issued = await Promise.all(both.filter((r) => r.status === 201).map((r) => issue(r.body.id)));
    const original = (await api.get(`/v1/invoices/${invoice.id}`)).body;

    // Assess
    expect(both.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(both.find((r) => r.status === 422)!.body.remaining).toBe('40.00');
    expect(issued.map((r) => r.status)).toEqual([200]);
    expect(original).toMatchObject({ amountCredited: '72.60', balanceDue: '48.40' });
  });

  it('issues two credit notes at once with consecutive numbers, never more than the original in total', async () => {
    // Prepare: two drafts of 50.00 each on 100.00
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: plainLine });
    const a = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R4', lines: [{ line: 0, amount: '50.00' }] });
    const b = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R4', lines: [{ line: 0, amount: '50.00' }] });

    // Act
    const issued = await Promise.all([issue(a.body.id), issue(b.body.id)]);
    const original = (await api.get(`/v1/invoices/${invoice.id}`)).body;

    // Assess: fully credited: balance 0, the original is paid by credit
    expect(issued.map((r) => r.status)).toEqual([200, 200]);
    const numbers = issued.map((r) => Number(r.body.number.split('-').pop())).sort((x, y) => x - y);
    expect(numbers[1] - numbers[0]).toBe(1);
    expect(original).toMatchObject({ amountCredited: '121.00', balanceDue: '0.00', paymentStatus: 'paid' });
    const third = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R4', full: true });
    expect(third.status).toBe(422);
    expect(third.body.remaining).toBe('0.00');
  });

  it('turns what exceeds the balance due into client credit (settle: credit), a refund, or money settled outside', async () => {
    // Prepare: an invoice of 121.00 paid 100.00
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: plainLine });
    await api.post(`/v1/invoices/${invoice.id}/payments`, { amount: '100.00', date: todayUtc(), method: 'bank_transfer' });

    // Act: a full credit note: 21.00 covers the balance due, 100.00 becomes the client's credit
    const note = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R4', full: true });
    const issued = await issue(note.body.id);
    const original = (await api.get(`/v1/invoices/${invoice.id}`)).body;
    const balance = await balanceOf(client.id);

    // Assess
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect(issued.body.credit).toEqual({ amount: '121.00', applied: '21.00', refunded: '0.00', settledOutside: '0.00', unapplied: '100.00' });
    expect(original).toMatchObject({ amountPaid: '100.00', amountCredited: '21.00', balanceDue: '0.00', paymentStatus: 'paid' });
    expect(balance).toMatchObject({ currency: 'EUR', unappliedCredit: '100.00', balanceDue: '0.00' });

    // and a refund instead
    const other = await issuedInvoice(api, client.id, { lines: plainLine });
    await api.post(`/v1/invoices/${other.id}/payments`, { amount: '121.00', date: todayUtc(), method: 'bank_transfer' });
    const refunded = await api.post(`/v1/invoices/${other.id}/credit-notes`, { reason: 'R4', full: true, settle: 'refund' });
    const refundIssued = await issue(refunded.body.id);
    expect(refundIssued.body.credit).toEqual({ amount: '121.00', applied: '0.00', refunded: '121.00', settledOutside: '0.00', unapplied: '0.00' });
    expect((await balanceOf(client.id)).unappliedCredit).toBe('100.00');
  });

  it('gives credit after payment that pays the next invoice (creditUsed in the client balance)', async () => {
    // Prepare: a paid invoice, credited in full: its 121.00 becomes the client's credit
    const client = await aClient(api);
    const paid = await issuedInvoice(api, client.id, { lines: plainLine });
    await api.post(`/v1/invoices/${paid.id}/payments`, { amount: '121.00', date: todayUtc(), method: 'bank_transfer' });
    const note = await api.post(`/v1/invoices/${paid.id}/credit-notes`, { reason: 'R4', full: true });
    await issue(note.body.id);
    const next = await issuedInvoice(api, client.id, { lines: [{ description: 'Support', quantity: '1', unitPrice: '50.00', taxRate: '21' }] });

    // Act
    const tooMuch = await api.post(`/v1/payments/${note.body.id}/allocations`, { invoiceId: next.id, amount: '70.00' });
    const applied = await api.post(`/v1/payments/${note.body.id}/allocations`, { invoiceId: next.id, amount: '60.50' });
    const after = (await api.get(`/v1/invoices/${next.id}`)).body;
    const balance = await balanceOf(client.id);

    // Assess
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({ remaining: '60.50', limitedBy: 'invoice' });
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    expect(applied.body.credit).toMatchObject({ amount: '121.00', applied: '60.50', unapplied: '60.50' });
    expect(after).toMatchObject({ amountCredited: '60.50', balanceDue: '0.00', paymentStatus: 'paid', stage: 'PAID' });
    expect(balance).toMatchObject({ balanceDue: '0.00', unappliedCredit: '60.50', creditUsed: '60.50' });
  });

  it('refuses a credit note on a draft, a proforma, R5 on an ordinary invoice, and an unknown invoice', async () => {
    // Prepare
    const client = await aClient(api);
    const draft = await api.post('/v1/invoices', { companyId: client.id, currency: 'EUR', lines: plainLine });
    const proforma = await api.post('/v1/invoices', { type: 'proforma', companyId: client.id, currency: 'EUR', lines: plainLine });
    await issue(proforma.body.id);
    const invoice = await issuedInvoice(api, client.id, { lines: plainLine });

    // Act
    const onDraft = await api.post(`/v1/invoices/${draft.body.id}/credit-notes`, { reason: 'R4', full: true });
    const onProforma = await api.post(`/v1/invoices/${proforma.body.id}/credit-notes`, { reason: 'R4', full: true });
    const r5 = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R5', full: true });
    const noReason = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { full: true });

    // Assess
    expect(onDraft.status).toBe(422);
    expect(onDraft.body.errors[0].field).toBe('id');
    expect(onProforma.status).toBe(422);
    expect(r5.status).toBe(422);
    expect(r5.body.errors[0].field).toBe('reason');
    expect(noReason.status).toBe(422);
  });
});

describe('cancel and delete', () => {
  it('cancels an unpaid invoice: a full credit note issued, the original CANCELLED with nothing due', async () => {
    // Prepare
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: plainLine });

    // Act
    const cancelled = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4', reasonText: 'issued by mistake' });
    const again = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4' });
    const note = (await api.get(`/v1/invoices/${cancelled.body.creditNote?.id}`)).body;

    // Assess
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ id: invoice.id, stage: 'CANCELLED', status: 'void', balanceDue: '0.00' });
    expect(note).toMatchObject({ type: 'credit_note', status: 'issued', fiscalType: 'R4', reasonText: 'issued by mistake', totals: { total: '-121.00' } });
    expect(note.corrects).toEqual([{ invoiceId: invoice.id, number: invoice.number, issueDate: todayUtc() }]);
    expect(again.status).toBe(409);
    expect((await balanceOf(client.id)).balanceDue).toBe('0.00');
  });

  it('refuses to cancel a paid invoice unless settle says what becomes of the money', async () => {
    // Prepare
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: plainLine });
    await api.post(`/v1/invoices/${invoice.id}/payments`, { amount: '50.00', date: todayUtc(), method: 'bank_transfer' });

    // Act
    const refused = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4' });
    const cancelled = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4', settle: 'credit' });

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].field).toBe('settle');
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ stage: 'CANCELLED', status: 'void' });
    // the 71.00 still due is covered by the note, the 50.00 paid becomes the client's credit
    expect(cancelled.body.creditNote.credit).toMatchObject({ amount: '121.00', applied: '71.00', unapplied: '50.00' });
    expect(await balanceOf(client.id)).toMatchObject({ balanceDue: '0.00', unappliedCredit: '50.00' });
  });

  it('deletes a draft (a draft credit note gives back what it reserved) and never an issued document', async () => {
    // Prepare
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: plainLine });
    const note = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R4', full: true });

    // Act
    const issuedDelete = await api.del(`/v1/invoices/${invoice.id}`);
    const deleted = await api.del(`/v1/invoices/${note.body.id}`);
    const gone = await api.get(`/v1/invoices/${note.body.id}`);
    const another = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R4', full: true });

    // Assess
    expect(issuedDelete.status).toBe(409);
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
    expect(another.status, JSON.stringify(another.body)).toBe(201);
  });
});
