import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { emailsTo, eventually } from '../fixtures/outbox';
import { aClient, eventsOf, issuedInvoice, todayUtc } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * Payments through the HTTP API on the local stack (DynamoDB Local): partial -> partial -> paid with the
 * automatic stage move, over-payments kept as credit and allocated later, refunds, one reversal reopening a
 * paid invoice, the IRPF payable amount, refusals and roles.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;
let accountant: ApiClient;

beforeAll(async () => {
  tenant = await makeTenant('Payments');
  api = apiClient(url, tenant.adminKey);
  accountant = apiClient(url, tenant.keys.accountant);
});

const pay = (invoiceId: string, amount: string, extra: Record<string, unknown> = {}) =>
  accountant.post(`/v1/invoices/${invoiceId}/payments`, { amount, date: todayUtc(), method: 'bank_transfer', ...extra });

describe('money on an invoice', () => {
  it('shows what the client pays with IRPF withheld: 106.00 payable, 121.00 tax-inclusive total', async () => {
    // Prepare
    const client = await aClient(api);
    const draft = await api.post('/v1/invoices', {
      companyId: client.id,
      currency: 'EUR',
      lines: [{ description: 'Consulting', quantity: '1', unitPrice: '100.00', taxRate: '21', withholdingRate: '15' }],
    });

    // Act
    const issued = await issuedInvoice(api, client.id);

    // Assess
    expect(draft.body).toMatchObject({ amountPayable: null, balanceDue: null, paymentStatus: null, paidAt: null });
    expect(issued).toMatchObject({
      totals: { net: '100.00', tax: '21.00', withholding: '15.00', total: '106.00' },
      taxInclusiveTotal: '121.00',
      amountPayable: '106.00',
      amountPaid: '0.00',
      amountCredited: '0.00',
      balanceDue: '106.00',
      paymentStatus: 'unpaid',
      paidAt: null,
    });
  });
});

describe('recording payments', () => {
  it('goes partial -> partial -> paid: the invoice moves to PAID by itself, invoice.paid once, the timeline shows each payment', async () => {
    // Prepare
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id);

    // Act
    const first = await pay(invoice.id, '50.00');
    const afterFirst = (await api.get(`/v1/invoices/${invoice.id}`)).body;
    const second = await pay(invoice.id, '30.00', { reference: 'second' });
    const afterSecond = (await api.get(`/v1/invoices/${invoice.id}`)).body;
    const third = await pay(invoice.id, '26.00');
    const paid = (await api.get(`/v1/invoices/${invoice.id}`)).body;

    // Assess
    expect([first.status, second.status, third.status]).toEqual([201, 201, 201]);
    expect(first.body).toMatchObject({ clientId: client.id, currency: 'EUR', amount: '50.00', allocated: '50.00', unapplied: '0.00', refunded: '0.00' });
    expect(first.body.allocations).toEqual([expect.objectContaining({ invoiceId: invoice.id, amount: '50.00', reversedAt: null })]);
    expect(afterFirst).toMatchObject({ amountPaid: '50.00', balanceDue: '56.00', paymentStatus: 'partially_paid', stage: 'VIEWED', status: 'issued' });
    expect(afterSecond).toMatchObject({ amountPaid: '80.00', balanceDue: '26.00', paymentStatus: 'partially_paid', stage: 'VIEWED' });
    expect(paid).toMatchObject({ amountPaid: '106.00', balanceDue: '0.00', paymentStatus: 'paid', stage: 'PAID', status: 'paid', paidAt: expect.any(String) });
    const events = await eventsOf(tenant.tenantId, invoice.id);
    expect(events.filter((e) => e.detailType === 'invoice.paid')).toHaveLength(1);
    expect(events.filter((e) => e.detailType === 'payment.recorded')).toHaveLength(3);
    expect(events.filter((e) => e.detailType === 'invoice.stage_changed').map((e) => [e.detail.from, e.detail.to])).toEqual([
      ['NEW', 'VIEWED'],
      ['VIEWED', 'PAID'],
    ]);
    const timeline = (await api.get(`/v1/invoices/${invoice.id}/timeline`)).body.data as { kind: string; data: Record<string, unknown> }[];
    expect(timeline.filter((t) => t.kind === 'payment_recorded').map((t) => t.data.amount)).toEqual(['50.00', '30.00', '26.00']);
    expect(timeline.map((t) => t.kind).slice(-2)).toEqual(['payment_recorded', 'stage_changed']);
    const listed = await api.get(`/v1/invoices/${invoice.id}/payments`);
    expect(listed.body.data.map((p: { id: string }) => p.id)).toEqual([first.body.id, second.body.id, third.body.id]);
  });

  it('runs automation rules on PAID when a payment moves the invoice there (notify_responsible)', async () => {
    // Prepare: a tenant of its own with a rule on PAID whose message marks the e-mail as this test's
    const own = await makeTenant('Payments rules');
    const admin = apiClient(url, own.adminKey);
    const marker = `paid-${randomUUID()}`;
    const rule = await admin.post('/v1/automation/rules', { entity: 'invoice', stage: 'PAID', actions: [{ type: 'notify_responsible', message: marker }] });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const invoice = await issuedInvoice(admin, (await aClient(admin)).id);

    // Act: a partial payment (no rule), then the rest (the automatic move to PAID)
    await admin.post(`/v1/invoices/${invoice.id}/payments`, { amount: '6.00', date: todayUtc() });
    await admin.post(`/v1/invoices/${invoice.id}/payments`, { amount: '100.00', date: todayUtc() });
    await stack().settle();

    // Assess: the rule ran once, on the move to PAID, and mailed the responsible user
    const mails = await eventually(async () => {
      const found = (await emailsTo('admin@example.com')).filter((m) => m.body.text?.includes(marker));
      return found.length > 0 && found;
    }, 'the notify_responsible e-mail');
    await stack().settle();
    expect((await emailsTo('admin@example.com')).filter((m) => m.body.text?.includes(marker))).toHaveLength(1);
    expect(mails[0].subject).toContain('PAID');
  });

  it('keeps an over-payment in full as credit, allocates it to a second invoice later, and refunds what is left', async () => {
    // Prepare
    const client = await aClient(api);
    const first = await issuedInvoice(api, client.id);
    const second = await issuedInvoice(api, client.id, { lines: [{ description: 'Support', quantity: '1', unitPrice: '30.00', taxRate: '0' }] });

    // Act
    const over = await pay(first.id, '150.00');
    const allocated = await accountant.post(`/v1/payments/${over.body.id}/allocations`, { invoiceId: second.id, amount: '30.00' });
    const tooMuch = await accountant.post(`/v1/payments/${over.body.id}/refunds`, { amount: '14.01', date: todayUtc() });
    const refunded = await accountant.post(`/v1/payments/${over.body.id}/refunds`, { amount: '14.00', date: todayUtc(), reference: 'back to the client' });
    const balance = await api.get(`/v1/companies/${client.id}/balance`);

    // Assess
    expect(over.status).toBe(201);
    expect(over.body).toMatchObject({ amount: '150.00', allocated: '106.00', unapplied: '44.00' });
    expect((await api.get(`/v1/invoices/${first.id}`)).body).toMatchObject({ paymentStatus: 'paid', stage: 'PAID' });
    expect(allocated.status).toBe(201);
    expect(allocated.body).toMatchObject({ allocated: '136.00', unapplied: '14.00' });
    expect((await api.get(`/v1/invoices/${second.id}`)).body).toMatchObject({ balanceDue: '0.00', paymentStatus: 'paid', stage: 'PAID' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({ remaining: '14.00', errors: [expect.objectContaining({ field: 'amount' })] });
    expect(refunded.status).toBe(201);
    expect(refunded.body).toMatchObject({
      refunded: '14.00',
      unapplied: '0.00',
      refunds: [expect.objectContaining({ amount: '14.00', reference: 'back to the client' })],
    });
    expect(balance.body.data).toEqual([
      {
        currency: 'EUR',
        invoiced: '136.00',
        paid: '136.00',
        credited: '0.00',
        balanceDue: '0.00',
        overdue: '0.00',
        unappliedCredit: '0.00',
        creditUsed: '30.00',
      },
    ]);
  });

  it('reverses ONE allocation: the paid invoice reopens in the stage it had, invoice.reopened, the other allocation untouched', async () => {
    // Prepare
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id, { stage: 'SENT' });
    const p1 = await pay(invoice.id, '60.00');
    const p2 = await pay(invoice.id, '46.00');
    expect((await api.get(`/v1/invoices/${invoice.id}`)).body).toMatchObject({ stage: 'PAID', status: 'paid' });
    const allocationId = p1.body.allocations[0].id;

    // Act
    const reversed = await accountant.del(`/v1/payments/${p1.body.id}/allocations/${allocationId}?reason=bank_return`);
    const again = await accountant.del(`/v1/payments/${p1.body.id}/allocations/${allocationId}`);
    const reopened = (await api.get(`/v1/invoices/${invoice.id}`)).body;

    // Assess
    expect(reversed.status).toBe(200);
    expect(reversed.body).toMatchObject({ allocated: '0.00', unapplied: '60.00' });
    expect(reversed.body.allocations[0]).toMatchObject({
      id: allocationId,
      amount: '60.00',
      reversedAt: expect.any(String),
      reversal: { reason: 'bank_return' },
    });
    expect(again.status).toBe(409);
    expect(reopened).toMatchObject({
      stage: 'SENT',
      status: 'issued',
      amountPaid: '46.00',
      balanceDue: '60.00',
      paymentStatus: 'partially_paid',
      paidAt: null,
    });
    expect((await api.get(`/v1/payments/${p2.body.id}`)).body).toMatchObject({
      allocated: '46.00',
      allocations: [expect.objectContaining({ reversedAt: null })],
    });
    const events = await eventsOf(tenant.tenantId, invoice.id);
    expect(events.filter((e) => e.detailType === 'invoice.reopened')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ from: 'PAID', to: 'SENT', balanceDue: '60.00' }) }),
    ]);
    expect(events.filter((e) => e.detailType === 'invoice.stage_changed').map((e) => e.detail.to)).toEqual(['SENT', 'PAID']);
    // paid again by the money the reversal freed: PAID once more, a second invoice.paid for the second time it is paid
    const reallocated = await accountant.post(`/v1/payments/${p1.body.id}/allocations`, { invoiceId: invoice.id, amount: '60.00' });
    expect(reallocated.status).toBe(201);
    expect((await api.get(`/v1/invoices/${invoice.id}`)).body).toMatchObject({ stage: 'PAID', balanceDue: '0.00' });
  });

  it('records a client payment with allocations to several invoices; lists by client, invoice and date', async () => {
    const client = await aClient(api);
    const a = await issuedInvoice(api, client.id);
    const b = await issuedInvoice(api, client.id);

    const res = await accountant.post('/v1/payments', {
      clientId: client.id,
      currency: 'EUR',
      amount: '250.00',
      date: todayUtc(),
      method: 'cheque',
      reference: 'CHQ 1',
      allocations: [
        { invoiceId: a.id, amount: '106.00' },
        { invoiceId: b.id, amount: '6.00' },
      ],
    });

    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^pay_/), allocated: '112.00', unapplied: '138.00', method: 'cheque' });
    expect((await api.get(`/v1/invoices/${b.id}`)).body).toMatchObject({ balanceDue: '100.00', paymentStatus: 'partially_paid' });
    const byClient = await api.get(`/v1/payments?clientId=${client.id}`);
    expect(byClient.body.data.map((p: { id: string }) => p.id)).toEqual([res.body.id]);
    const byInvoice = await api.get(`/v1/payments?invoiceId=${b.id}`);
    expect(byInvoice.body.data.map((p: { id: string }) => p.id)).toEqual([res.body.id]);
    const byDate = await api.get(`/v1/payments?dateFrom=${todayUtc()}&dateTo=${todayUtc()}&limit=100`);
    expect(byDate.body.data.map((p: { id: string }) => p.id)).toContain(res.body.id);
    const none = await api.get('/v1/payments?dateFrom=2001-01-01&dateTo=2001-12-31');
    expect(none.body.data).toEqual([]);
  });
});

describe('refusals', () => {
  it('refuses payments on drafts, proformas and cancelled invoices, naming the field', async () => {
    const client = await aClient(api);
    const draft = (
      await api.post('/v1/invoices', { companyId: client.id, currency: 'EUR', lines: [{ description: 'x', quantity: '1', unitPrice: '10', taxRate: '21' }] })
    ).body;
    const proforma = (
      await api.post('/v1/invoices', {
        type: 'proforma',
        companyId: client.id,
        currency: 'EUR',
        lines: [{ description: 'x', quantity: '1', unitPrice: '10', taxRate: '21' }],
      })
    ).body;
    await api.post(`/v1/invoices/${proforma.id}/stage`, { stage: 'VIEWED' });
    const cancelled = await issuedInvoice(api, client.id);
    await api.post(`/v1/invoices/${cancelled.id}/stage`, { stage: 'CANCELLED' });

    const answers = await Promise.all([pay(draft.id, '1.00'), pay(proforma.id, '1.00'), pay(cancelled.id, '1.00')]);

    expect(answers.map((a) => a.status)).toEqual([422, 422, 422]);
    expect(answers.map((a) => a.body.errors[0].message)).toEqual([
      expect.stringMatching(/draft/),
      expect.stringMatching(/proforma/),
      expect.stringMatching(/cancelled/),
    ]);
  });

  it('refuses bad amounts, dates, and another client or currency', async () => {
    const client = await aClient(api);
    const other = await aClient(api, { taxId: 'B87654323', email: 'other@acme.example' });
    const invoice = await issuedInvoice(api, client.id);
    const tomorrowPlusOne = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const base = { clientId: client.id, currency: 'EUR', amount: '10.00', date: todayUtc(), method: 'cash' };

    const zero = await accountant.post('/v1/payments', { ...base, amount: '0.00' });
    const negative = await accountant.post('/v1/payments', { ...base, amount: '-5.00' });
    const decimals = await accountant.post('/v1/payments', { ...base, amount: '10.001' });
    const yen = await accountant.post('/v1/payments', { ...base, currency: 'JPY', amount: '100.5' });
    const future = await accountant.post('/v1/payments', { ...base, date: tomorrowPlusOne });
    const tomorrow = await accountant.post('/v1/payments', { ...base, date: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) });
    const otherClient = await accountant.post('/v1/payments', { ...base, clientId: other.id, allocations: [{ invoiceId: invoice.id, amount: '10.00' }] });
    const otherCurrency = await accountant.post('/v1/payments', { ...base, currency: 'USD', allocations: [{ invoiceId: invoice.id, amount: '10.00' }] });
    const moreThanDue = await accountant.post('/v1/payments', { ...base, amount: '200.00', allocations: [{ invoiceId: invoice.id, amount: '106.01' }] });
    const moreThanPayment = await accountant.post('/v1/payments', { ...base, allocations: [{ invoiceId: invoice.id, amount: '10.01' }] });

    const fieldOf = (r: { body: { errors: { field: string }[] } }) => r.body.errors.map((e) => e.field);
    expect([zero, negative, decimals, yen, future].map((r) => r.status)).toEqual([422, 422, 422, 422, 422]);
    expect([fieldOf(zero), fieldOf(negative), fieldOf(decimals), fieldOf(yen), fieldOf(future)]).toEqual([
      ['amount'],
      ['amount'],
      ['amount'],
      ['amount'],
      ['date'],
    ]);
    expect(tomorrow.status).toBe(201);
    expect(otherClient.status).toBe(422);
    expect(fieldOf(otherClient)).toEqual(['allocations[0].invoiceId']);
    expect(otherCurrency.status).toBe(422);
    expect(moreThanDue).toMatchObject({ status: 422, body: { remaining: '106.00', limitedBy: 'invoice' } });
    expect(moreThanPayment).toMatchObject({ status: 422, body: { remaining: '10.00', limitedBy: 'payment' } });
    expect((await api.get(`/v1/invoices/${invoice.id}`)).body.balanceDue).toBe('106.00');
  });

  it('refuses allocating more than unapplied or more than due, with remaining', async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id);
    const credit = await accountant.post('/v1/payments', { clientId: client.id, currency: 'EUR', amount: '200.00', date: todayUtc(), method: 'cash' });
    const small = await accountant.post('/v1/payments', { clientId: client.id, currency: 'EUR', amount: '5.00', date: todayUtc(), method: 'cash' });

    const overDue = await accountant.post(`/v1/payments/${credit.body.id}/allocations`, { invoiceId: invoice.id, amount: '106.01' });
    const overUnapplied = await accountant.post(`/v1/payments/${small.body.id}/allocations`, { invoiceId: invoice.id, amount: '5.01' });

    expect(overDue).toMatchObject({ status: 422, body: { remaining: '106.00', limitedBy: 'invoice', errors: [{ field: 'amount' }] } });
    expect(overUnapplied).toMatchObject({ status: 422, body: { remaining: '5.00', limitedBy: 'payment', errors: [{ field: 'amount' }] } });
  });

  it('makes externalId unique per tenant (409 with existingId) and replays an Idempotency-Key', async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id);
    const body = { amount: '10.00', date: todayUtc(), externalId: 'pi_123' };

    const first = await accountant.post(`/v1/invoices/${invoice.id}/payments`, body);
    const second = await accountant.post('/v1/payments', {
      clientId: client.id,
      currency: 'EUR',
      amount: '1.00',
      date: todayUtc(),
      method: 'card',
      externalId: 'pi_123',
    });
    const keyed = await accountant.post(`/v1/invoices/${invoice.id}/payments`, { amount: '1.00', date: todayUtc() }, { 'idempotency-key': 'k-1' });
    const replay = await accountant.post(`/v1/invoices/${invoice.id}/payments`, { amount: '1.00', date: todayUtc() }, { 'idempotency-key': 'k-1' });

    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 409, body: { existingId: first.body.id } });
    expect(replay.body).toEqual(keyed.body);
    expect((await api.get(`/v1/invoices/${invoice.id}`)).body.amountPaid).toBe('11.00');
  });

  it('lets accountants and admins write, managers and viewers only read', async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id);
    const body = { amount: '1.00', date: todayUtc() };

    const byManager = await apiClient(url, tenant.keys.manager).post(`/v1/invoices/${invoice.id}/payments`, body);
    const byViewer = await apiClient(url, tenant.keys.viewer).post(`/v1/invoices/${invoice.id}/payments`, body);
    const byAdmin = await api.post(`/v1/invoices/${invoice.id}/payments`, body);
    const readByViewer = await apiClient(url, tenant.keys.viewer).get(`/v1/payments/${byAdmin.body.id}`);
    const readByManager = await apiClient(url, tenant.keys.manager).get(`/v1/companies/${client.id}/balance`);
    const otherTenant = apiClient(url, (await makeTenant('Other')).adminKey);

    expect([byManager.status, byViewer.status, byAdmin.status, readByViewer.status, readByManager.status]).toEqual([403, 403, 201, 200, 200]);
    expect((await otherTenant.get(`/v1/payments/${byAdmin.body.id}`)).status).toBe(404);
  });
});
