import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../infra/local/handlers';
import { aContact } from '../fixtures/builders';
import { aClient, issuedInvoice, todayUtc } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * The contract (API.md: payments, corrections and invoice types, time) as a client sees it: the exact routes,
 * field names and nesting, status codes and problem+json, for the bullets other e2e tests leave uncovered.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;

beforeAll(async () => {
  tenant = await makeTenant('Contract');
  api = apiClient(url, tenant.adminKey);
});

const line = (unitPrice = '100.00') => [{ description: 'Consulting', quantity: '1', unitPrice, taxRate: '21' }];
const addDays = (date: string, days: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

describe('payments', () => {
  it('POST /v1/payments answers the Payment shape; list endpoints answer { data, nextCursor }', async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: line() }); // 121.00
    const res = await api.post('/v1/payments', {
      clientId: client.id,
      currency: 'EUR',
      amount: '150.00',
      date: todayUtc(),
      method: 'cheque',
      reference: 'CHQ 1',
      externalId: `ext-${randomUUID()}`,
      allocations: [{ invoiceId: invoice.id, amount: '100.00' }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^pay_/),
      clientId: client.id,
      currency: 'EUR',
      amount: '150.00',
      date: todayUtc(),
      method: 'cheque',
      reference: 'CHQ 1',
      externalId: expect.any(String),
      allocated: '100.00',
      refunded: '0.00',
      unapplied: '50.00',
      refunds: [],
      createdAt: expect.any(String),
      version: expect.any(Number),
    });
    expect(res.body.allocations).toEqual([
      expect.objectContaining({ id: expect.stringMatching(/^alc_/), invoiceId: invoice.id, amount: '100.00', createdAt: expect.any(String), reversedAt: null }),
    ]);

    const refund = await api.post(`/v1/payments/${res.body.id}/refunds`, { amount: '20.00', date: todayUtc(), reference: 'back' });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    expect(refund.body).toMatchObject({ refunded: '20.00', unapplied: '30.00' });
    expect(refund.body.refunds).toEqual([expect.objectContaining({ id: expect.any(String), amount: '20.00', date: todayUtc(), reference: 'back' })]);
    const tooMuch = await api.post(`/v1/payments/${res.body.id}/refunds`, { amount: '30.01', date: todayUtc() });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.headers.get('content-type')).toContain('application/problem+json');
    expect(tooMuch.body.errors[0].field).toBe('amount');

    for (const path of [`/v1/invoices/${invoice.id}/payments`, `/v1/payments?clientId=${client.id}`, `/v1/payments?invoiceId=${invoice.id}`]) {
      const list = await api.get(path);
      expect(list.status, path).toBe(200);
      expect(list.body, path).toMatchObject({ data: [expect.objectContaining({ id: res.body.id })], nextCursor: null });
    }
    const one = await api.get(`/v1/payments/${res.body.id}`);
    expect(one.body).toMatchObject({ id: res.body.id, unapplied: '30.00' });
    const outside = await api.get(`/v1/payments?clientId=${client.id}&dateFrom=${addDays(todayUtc(), 1)}`);
    expect(outside.body.data).toEqual([]);
  });

  it('an invoice payment beyond balanceDue is 201 with unapplied; method optional', async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: line() }); // 121.00
    const res = await api.post(`/v1/invoices/${invoice.id}/payments`, { amount: '130.00', date: todayUtc() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ allocated: '121.00', unapplied: '9.00', clientId: client.id });
    const after = (await api.get(`/v1/invoices/${invoice.id}`)).body;
    expect(after).toMatchObject({ amountPayable: '121.00', amountPaid: '121.00', amountCredited: '0.00', balanceDue: '0.00', paymentStatus: 'paid' });
  });

  it('balances of a contact per currency; Idempotency-Key with another body is 422', async () => {
    const person = await api.post('/v1/contacts', aContact({ email: `p-${randomUUID().slice(0, 8)}@example.com` }));
    expect(person.status, JSON.stringify(person.body)).toBe(201);
    const key = `k-${randomUUID()}`;
    const body = { clientId: person.body.id, currency: 'EUR', amount: '10.00', date: todayUtc(), method: 'cash' };
    const first = await api.post('/v1/payments', body, { 'idempotency-key': key });
    const other = await api.post('/v1/payments', { ...body, amount: '11.00' }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(other.status).toBe(422);
    const balance = await api.get(`/v1/contacts/${person.body.id}/balance`);
    expect(balance.status).toBe(200);
    expect(balance.body.data).toEqual([
      // paid: what was paid towards invoices; money not allocated is unappliedCredit
      { currency: 'EUR', invoiced: '0.00', paid: '0.00', credited: '0.00', balanceDue: '0.00', overdue: '0.00', unappliedCredit: '10.00', creditUsed: '0.00' },
    ]);
  });

  it('bank import takes a JSON body { csv, mapping, dryRun }', async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: line('10.00') });
    const csv = `Fecha;Importe;Concepto\n${todayUtc()};12,10;Pago ${invoice.number}\n`;
    const res = await api.post('/v1/payments/imports', { csv, dryRun: true, mapping: { date: 'Fecha', amount: 'Importe', reference: 'Concepto' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      dryRun: true,
      rows: [{ row: expect.any(Number), date: todayUtc(), amount: '12.10', status: 'matched', invoiceIds: [invoice.id] }],
      summary: { matched: 1, suggested: 0, unmatched: 0, duplicate: 0 },
    });
  });

  it('bank import finds English headers by name (Date, Amount, Reference, Payer name, IBAN), signed amounts', async () => {
    const client = await aClient(api, { name: 'Payer Ltd' });
    const invoice = await issuedInvoice(api, client.id, { lines: line('20.00') }); // 24.20
    const csv = [
      'Date,Amount,Reference,Payer name,IBAN',
      `${todayUtc()},24.20,Invoice ${invoice.number},Payer Ltd,ES9121000418450200051332`,
      `${todayUtc()},-5.00,Bank fee,,`,
      `${todayUtc()},999.99,Unknown transfer,Somebody,`,
    ].join('\n');
    const res = await api.post('/v1/payments/imports', csv, { 'content-type': 'text/csv; charset=utf-8' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.dryRun).toBe(false);
    expect(res.body.rows[0]).toMatchObject({ status: 'matched', amount: '24.20', invoiceIds: [invoice.id], paymentId: expect.stringMatching(/^pay_/) });
    expect(res.body.rows.slice(1).map((r: { status: string }) => r.status)).toEqual(['unmatched', 'unmatched']);
    expect((await api.get(`/v1/invoices/${invoice.id}`)).body).toMatchObject({ balanceDue: '0.00', paymentStatus: 'paid' });
  });
});

describe('corrections and invoice types', () => {
  it('credit note with the full contract body: a draft with corrects and negative lines; issued: a CN number and fiscalType', async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: line() });
    expect((await api.get(`/v1/invoices/${invoice.id}`)).body.fiscalType).toBe('F1');
    const note = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, {
      reason: 'R2',
      reasonText: 'insolvency',
      method: 'substitution',
      lines: [{ line: 0, quantity: '1' }],
      settle: 'credit',
    });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect(note.body).toMatchObject({
      id: expect.stringMatching(/^inv_/),
      type: 'credit_note',
      status: 'draft',
      number: null,
      corrects: [{ invoiceId: invoice.id, number: invoice.number, issueDate: expect.any(String) }],
      totals: { total: '-121.00' },
    });
    expect(note.body.lines[0].quantity.startsWith('-') || note.body.lines[0].netAmount.startsWith('-')).toBe(true);
    const issued = await api.post(`/v1/invoices/${note.body.id}/stage`, { stage: 'SENT' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body).toMatchObject({ fiscalType: 'R2', reason: 'R2', method: 'substitution', status: 'issued' });
  });

  it('money fields: null on drafts and proformas, present on issued invoices and credit notes', async () => {
    const client = await aClient(api);
    const draft = await api.post('/v1/invoices', { companyId: client.id, currency: 'EUR', lines: line(), dueDate: '2030-01-31' });
    expect(draft.body).toMatchObject({ amountPayable: null, balanceDue: null, paymentStatus: null, paidAt: null, fiscalType: null });
    const proforma = await api.post('/v1/invoices', { type: 'proforma', companyId: client.id, currency: 'EUR', lines: line(), dueDate: '2030-01-31' });
    const proformaIssued = await api.post(`/v1/invoices/${proforma.body.id}/stage`, { stage: 'VIEWED' });
    expect(proformaIssued.body).toMatchObject({ paymentStatus: null, fiscalType: null });
    const invoice = await issuedInvoice(api, client.id, { lines: line() });
    const note = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R1', reasonText: 'price', method: 'differences', full: true });
    const issued = await api.post(`/v1/invoices/${note.body.id}/stage`, { stage: 'SENT' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body).toMatchObject({ fiscalType: 'R1', amountPayable: expect.any(String), balanceDue: expect.any(String), amountPaid: expect.any(String) });
    expect((await api.get(`/v1/invoices/${invoice.id}`)).body).toMatchObject({ amountCredited: '121.00', balanceDue: '0.00', paymentStatus: 'paid' });
  });

  it('replace takes a contactId; recurring PATCH takes If-Match', async () => {
    const person = await api.post('/v1/contacts', aContact({ email: `s-${randomUUID().slice(0, 8)}@example.com` }));
    const simplified = await api.post('/v1/invoices', { type: 'simplified', currency: 'EUR', dueDate: '2030-01-31', lines: line('50.00') });
    await api.post(`/v1/invoices/${simplified.body.id}/stage`, { stage: 'VIEWED' });
    const replaced = await api.post(`/v1/invoices/${simplified.body.id}/replace`, { contactId: person.body.id });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(201);
    expect(replaced.body).toMatchObject({ client: { id: person.body.id } });

    const rec = await api.post('/v1/recurring-invoices', {
      contactId: person.body.id,
      currency: 'EUR',
      lines: line(),
      interval: 'week',
      intervalCount: 2,
      startDate: '2028-01-03',
      dueInDays: 7,
      issue: false,
    });
    expect(rec.status, JSON.stringify(rec.body)).toBe(201);
    expect((await api.get(`/v1/recurring-invoices/${rec.body.id}/preview?count=3`)).body.dates).toEqual(['2028-01-03', '2028-01-17', '2028-01-31']);
    const patched = await api.patch(`/v1/recurring-invoices/${rec.body.id}`, { dueInDays: 14 }, { 'if-match': String(rec.body.version) });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const stale = await api.patch(`/v1/recurring-invoices/${rec.body.id}`, { dueInDays: 21 }, { 'if-match': String(rec.body.version) });
    expect(stale.status).toBe(409);
  });

  it('refuses a credit note of an original issued more than 4 years ago (422 naming the field)', async () => {
    const own = await makeTenant('Contract old');
    const admin = apiClient(url, own.adminKey);
    const client = await aClient(admin);
    const created = await admin.post('/v1/invoices', { companyId: client.id, currency: 'EUR', lines: line(), dueDate: '2030-01-31' });
    const old = `${new Date().getUTCFullYear() - 5}-01-10`;
    const issued = await admin.post(`/v1/invoices/${created.body.id}/stage`, { stage: 'VIEWED', issueDate: old });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const note = await admin.post(`/v1/invoices/${created.body.id}/credit-notes`, { reason: 'R1', reasonText: 'late', method: 'differences', full: true });
    expect(note.status, JSON.stringify(note.body)).toBe(422);
    expect(note.body.errors[0].field).toBe('issueDate');
  });

  it('cancelling a partly credited invoice credits what is left; cancelling again is 409', async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: line() }); // 121.00
    const part = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R3', reasonText: 'discount', lines: [{ line: 0, amount: '50.00' }] });
    expect(part.status, JSON.stringify(part.body)).toBe(201);
    expect((await api.post(`/v1/invoices/${part.body.id}/stage`, { stage: 'VIEWED' })).status).toBe(200);
    const cancelled = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4', reasonText: 'order withdrawn' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({
      stage: 'CANCELLED',
      balanceDue: '0.00',
      creditNote: { type: 'credit_note', status: 'issued', totals: { total: '-60.50' } },
    });
    const again = await api.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a credit note of a simplified invoice gets R5 even when R1 is asked', async () => {
    const simplified = await api.post('/v1/invoices', { type: 'simplified', currency: 'EUR', dueDate: '2030-01-31', lines: line('50.00') });
    expect(simplified.status, JSON.stringify(simplified.body)).toBe(201);
    await api.post(`/v1/invoices/${simplified.body.id}/stage`, { stage: 'VIEWED' });
    const note = await api.post(`/v1/invoices/${simplified.body.id}/credit-notes`, { reason: 'R1', reasonText: 'returned', method: 'differences', full: true });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect(note.body.reason).toBe('R5');
  });

  it('cancel refuses a draft (problem+json); convert 409 names the invoice (invoiceId, existingId)', async () => {
    const client = await aClient(api);
    const draft = await api.post('/v1/invoices', { companyId: client.id, currency: 'EUR', lines: line(), dueDate: '2030-01-31' });
    const cancelDraft = await api.post(`/v1/invoices/${draft.body.id}/cancel`, { reason: 'R4' });
    expect([409, 422]).toContain(cancelDraft.status);
    expect(cancelDraft.headers.get('content-type')).toContain('application/problem+json');

    const proforma = await api.post('/v1/invoices', { type: 'proforma', companyId: client.id, currency: 'EUR', lines: line(), dueDate: '2030-01-31' });
    expect(proforma.status, JSON.stringify(proforma.body)).toBe(201);
    const issuedProforma = await api.post(`/v1/invoices/${proforma.body.id}/stage`, { stage: 'VIEWED' });
    expect(issuedProforma.status, JSON.stringify(issuedProforma.body)).toBe(200);
    const converted = await api.post(`/v1/invoices/${proforma.body.id}/convert`);
    expect(converted.status, JSON.stringify(converted.body)).toBe(201);
    expect(converted.body).toMatchObject({ type: 'invoice', convertedFrom: proforma.body.id });
    const again = await api.post(`/v1/invoices/${proforma.body.id}/convert`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ invoiceId: converted.body.id, existingId: converted.body.id });
  });
});

describe('time', () => {
  it('recurring invoices for a contact: list { data, nextCursor }, preview default, count bounds the dates', async () => {
    const person = await api.post('/v1/contacts', aContact({ email: `r-${randomUUID().slice(0, 8)}@example.com` }));
    const created = await api.post('/v1/recurring-invoices', {
      contactId: person.body.id,
      currency: 'EUR',
      lines: line(),
      interval: 'year',
      intervalCount: 1,
      startDate: '2028-02-29',
      count: 3,
      dueInDays: 30,
      issue: true,
      send: 'none',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ contactId: person.body.id, issue: true, send: 'none', count: 3, endDate: null });
    const preview = await api.get(`/v1/recurring-invoices/${created.body.id}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.dates).toEqual(['2028-02-29', '2029-02-28', '2030-02-28']);
    const list = await api.get('/v1/recurring-invoices?limit=1');
    expect(list.body).toMatchObject({ data: [expect.any(Object)], nextCursor: expect.toSatisfy((v: unknown) => v === null || typeof v === 'string') });
  });

  it('scheduled sends: list { data }, DELETE twice, the dunning policy round-trips', async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: line() });
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await api.post(`/v1/invoices/${invoice.id}/send`, { channel: 'email', sendAt });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(202);
    expect(scheduled.body).toMatchObject({ scheduledSend: { id: expect.any(String), sendAt } });
    const listed = await api.get(`/v1/invoices/${invoice.id}/scheduled-sends`);
    expect(listed.body).toMatchObject({ data: [{ id: scheduled.body.scheduledSend.id, sendAt, status: 'scheduled' }], nextCursor: null });
    const cancelled = await api.del(`/v1/invoices/${invoice.id}/scheduled-sends/${scheduled.body.scheduledSend.id}`);
    expect(cancelled.status).toBe(200);
    const twice = await api.del(`/v1/invoices/${invoice.id}/scheduled-sends/${scheduled.body.scheduledSend.id}`);
    expect([200, 409]).toContain(twice.status);
    const bad = await api.post(`/v1/invoices/${invoice.id}/send`, { channel: 'email', sendAt: 'tomorrow' });
    expect([400, 422]).toContain(bad.status);
    expect(bad.body.errors[0].field).toBe('sendAt');

    const policy = {
      enabled: true,
      steps: [{ id: 'late', offsetDays: 5, channel: 'email', subject: 'Late', text: 'Pay' }],
      lateFee: { annualInterestRate: '10.15' },
    };
    const put = await api.put('/v1/dunning', policy);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect((await api.get('/v1/dunning')).body).toMatchObject(policy);
  });

  it('sendAt with an offset answers the UTC instant; automation delay takes hours and minutes; preview count is bounded', async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { lines: line() });
    const year = new Date().getUTCFullYear() + 1;
    const scheduled = await api.post(`/v1/invoices/${invoice.id}/send`, { channel: 'email', sendAt: `${year}-03-01T10:00:00+01:00` });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(202);
    expect(new Date(scheduled.body.scheduledSend.sendAt).toISOString()).toBe(`${year}-03-01T09:00:00.000Z`);
    expect(scheduled.body.scheduledSend.sendAt.endsWith('Z')).toBe(true);

    const own = await makeTenant('Contract delay');
    const admin = apiClient(url, own.adminKey);
    const rule = await admin.post('/v1/automation/rules', {
      entity: 'invoice',
      stage: 'VIEWED',
      actions: [{ type: 'notify_responsible', delay: { hours: 2, minutes: 30 } }],
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    expect(rule.body.actions[0].delay).toEqual({ hours: 2, minutes: 30 });

    const rec = await api.post('/v1/recurring-invoices', {
      companyId: client.id,
      currency: 'EUR',
      lines: line(),
      interval: 'month',
      startDate: '2028-01-31',
      dueInDays: 7,
      issue: false,
    });
    const zero = await api.get(`/v1/recurring-invoices/${rec.body.id}/preview?count=0`);
    expect([400, 422]).toContain(zero.status);
    expect(zero.body.errors[0].field).toBe('query.count');
  });

  it('three concurrent daily job runs for the same date make each recurring period once', async () => {
    const own = await makeTenant('Contract concurrent jobs');
    const admin = apiClient(url, own.adminKey);
    const client = await aClient(admin);
    const created = await admin.post('/v1/recurring-invoices', {
      companyId: client.id,
      currency: 'EUR',
      lines: line(),
      interval: 'week',
      startDate: '2029-01-01',
      dueInDays: 7,
      issue: true,
      send: 'none',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // the 15th: three weekly periods are due (Jan 1, 8, 15), made once each whichever run gets them
    const runs = (await Promise.all([0, 1, 2].map(() => invoke('dailyJobs', { date: '2029-01-15', tenantId: own.tenantId })))) as any[];
    expect(runs.reduce((n, r) => n + r.recurring.made, 0)).toBe(3);
    const invoices = (await admin.get('/v1/invoices?limit=100')).body.data.filter(
      (i: { recurringInvoiceId?: string }) => i.recurringInvoiceId === created.body.id,
    );
    expect(invoices.map((i: { period: string }) => i.period).sort()).toEqual(['2029-01-01', '2029-01-08', '2029-01-15']);
    expect(new Set(invoices.map((i: { number: string }) => i.number)).size).toBe(3);
    expect((await admin.get(`/v1/recurring-invoices/${created.body.id}`)).body).toMatchObject({ made: 3, nextDate: '2029-01-22' });
  });

  it('a scheduled send is found only under its own invoice; a replayed Idempotency-Key schedules once', async () => {
    const client = await aClient(api);
    const [a, b] = [await issuedInvoice(api, client.id, { lines: line() }), await issuedInvoice(api, client.id, { lines: line() })];
    const sendAt = new Date(Date.now() + 7_200_000).toISOString();
    const key = `send-${randomUUID()}`;
    const first = await api.post(`/v1/invoices/${a.id}/send`, { channel: 'email', sendAt }, { 'idempotency-key': key });
    const replay = await api.post(`/v1/invoices/${a.id}/send`, { channel: 'email', sendAt }, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body.scheduledSend.id).toBe(first.body.scheduledSend.id);
    expect((await api.get(`/v1/invoices/${a.id}/scheduled-sends`)).body.data).toHaveLength(1);
    expect((await api.del(`/v1/invoices/${b.id}/scheduled-sends/${first.body.scheduledSend.id}`)).status).toBe(404);
    const other = apiClient(url, (await makeTenant('Contract other')).adminKey);
    expect((await other.get(`/v1/invoices/${a.id}/scheduled-sends`)).status).toBe(404);
  });

  it('the daily jobs skip a cancelled, a paid and a fully credited invoice: no reminder, no overdue', async () => {
    const own = await makeTenant('Contract jobs');
    const admin = apiClient(url, own.adminKey);
    const client = await aClient(admin);
    const due = addDays(todayUtc(), 2);
    const invoice = await issuedInvoice(admin, client.id, { lines: line(), dueDate: due });
    await admin.put('/v1/dunning', { enabled: true, steps: [{ id: 'late', offsetDays: 1, channel: 'email', text: 'Pay' }] });
    const paid = await issuedInvoice(admin, client.id, { lines: line(), dueDate: due });
    const credited = await issuedInvoice(admin, client.id, { lines: line(), dueDate: due });
    const cancelled = await admin.post(`/v1/invoices/${invoice.id}/cancel`, { reason: 'R4', reasonText: 'by mistake' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect((await admin.post(`/v1/invoices/${paid.id}/payments`, { amount: '121.00', date: todayUtc() })).status).toBe(201);
    const note = await admin.post(`/v1/invoices/${credited.id}/credit-notes`, { reason: 'R1', reasonText: 'price', method: 'differences', full: true });
    expect((await admin.post(`/v1/invoices/${note.body.id}/stage`, { stage: 'VIEWED' })).status).toBe(200);
    const run = (await invoke('dailyJobs', { date: addDays(due, 1), tenantId: own.tenantId })) as any;
    expect(run.overdue.opened).toBe(0);
    expect(run.reminders.sent).toBe(0);
    expect(run.reminders.lateFees).toBe(0);
  });
});
