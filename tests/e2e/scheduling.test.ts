import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../infra/local/handlers';
import { emailsTo, eventually } from '../fixtures/outbox';
import { aClient, eventsOf, todayUtc } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * Time-driven work through the HTTP API and the daily jobs handler (the same one EventBridge Scheduler,
 * `npm start`'s scheduler and `npm run jobs` run) on the local stack.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;

beforeAll(async () => {
  tenant = await makeTenant('Scheduling');
  api = apiClient(url, tenant.adminKey);
});

const line = { description: 'Monthly hosting', quantity: '1', unitPrice: '50.00', taxRate: '21' };
const runJobs = (date: string) => invoke('dailyJobs', { date, tenantId: tenant.tenantId }) as Promise<any>;

describe('recurring invoices', () => {
  it('CRUD, preview, pause and resume through the API; bad input names the field', async () => {
    const client = await aClient(api);
    const created = await api.post('/v1/recurring-invoices', {
      companyId: client.id,
      currency: 'EUR',
      lines: [line],
      interval: 'month',
      startDate: '2027-01-31',
      dueInDays: 30,
      issue: false,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^rec_/), status: 'active', nextDate: '2027-01-31', intervalCount: 1, send: 'none' });

    const preview = await api.get(`/v1/recurring-invoices/${created.body.id}/preview?count=4`);
    expect(preview.body.dates).toEqual(['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30']);

    const list = await api.get('/v1/recurring-invoices');
    expect(list.body.data.map((r: { id: string }) => r.id)).toContain(created.body.id);

    const paused = await api.post(`/v1/recurring-invoices/${created.body.id}/pause`);
    expect(paused.body.status).toBe('paused');
    const resumed = await api.post(`/v1/recurring-invoices/${created.body.id}/resume`);
    expect(resumed.body.status).toBe('active');

    const patched = await api.patch(`/v1/recurring-invoices/${created.body.id}`, { dueInDays: 10, version: resumed.body.version });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.dueInDays).toBe(10);
    const stale = await api.patch(`/v1/recurring-invoices/${created.body.id}`, { dueInDays: 5, version: resumed.body.version });
    expect(stale.status).toBe(409);

    const zero = await api.post('/v1/recurring-invoices', {
      companyId: client.id,
      currency: 'EUR',
      lines: [line],
      interval: 'week',
      intervalCount: 0,
      startDate: '2027-01-01',
      dueInDays: 1,
      issue: false,
    });
    expect(zero.status).toBe(422);
    expect(zero.body.errors[0].field).toBe('intervalCount');
    const backwards = await api.post('/v1/recurring-invoices', {
      companyId: client.id,
      currency: 'EUR',
      lines: [line],
      interval: 'week',
      startDate: '2027-01-10',
      endDate: '2027-01-01',
      dueInDays: 1,
      issue: false,
    });
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors.map((e: { field: string }) => e.field)).toContain('endDate');

    expect((await api.del(`/v1/recurring-invoices/${created.body.id}`)).status).toBe(204);
    expect((await api.get(`/v1/recurring-invoices/${created.body.id}`)).status).toBe(404);
  });

  it('the daily job run twice for the same date makes one invoice, issued and e-mailed once', async () => {
    const email = `rec-${randomUUID().slice(0, 8)}@client.example`;
    const client = await aClient(api, { email });
    const today = todayUtc();
    const created = await api.post('/v1/recurring-invoices', {
      companyId: client.id,
      currency: 'EUR',
      lines: [line],
      interval: 'month',
      startDate: today,
      dueInDays: 14,
      issue: true,
      send: 'email',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const first = await runJobs(today);
    const second = await runJobs(today);
    expect(first.recurring.made).toBe(1);
    expect(second.recurring.made + second.recurring.found).toBe(0);

    const invoiceId = first.recurring.periods[0].invoiceId;
    const invoice = await api.get(`/v1/invoices/${invoiceId}`);
    expect(invoice.body).toMatchObject({ recurringInvoiceId: created.body.id, period: today, stage: 'SENT', status: 'issued' });
    const schedule = await api.get(`/v1/recurring-invoices/${created.body.id}`);
    expect(schedule.body).toMatchObject({ made: 1, lastInvoiceId: invoiceId });

    await eventually(async () => (await emailsTo(email)).length === 1, 'the invoice e-mail');
    await stack().settle();
    expect(await emailsTo(email)).toHaveLength(1);
  });
});

const addDays = (date: string, days: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

describe('overdue and reminders', () => {
  it('refuses a bad policy naming the field: more than 10 steps, an SMS step without text', async () => {
    const step = (i: number) => ({ id: `s${i}`, offsetDays: i, channel: 'email', text: 'Please pay' });
    const many = await api.put('/v1/dunning', { enabled: true, steps: Array.from({ length: 11 }, (_, i) => step(i)) });
    expect(many.status).toBe(422);
    expect(many.body.errors[0].field).toBe('steps');
    const sms = await api.put('/v1/dunning', { enabled: true, steps: [{ id: 'sms', offsetDays: 1, channel: 'sms' }] });
    expect(sms.status).toBe(422);
    expect(sms.body.errors[0].field).toBe('steps[0].text');
    expect((await api.get('/v1/dunning')).body).toMatchObject({ enabled: false, steps: [], version: 0 });
  });

  it('a reminder before the due date once, overdue once per episode, a payment and a reversal make a new episode, the late fee once', async () => {
    const email = `late-${randomUUID().slice(0, 8)}@client.example`;
    const client = await aClient(api, { email });
    const due = addDays(todayUtc(), 10);
    const created = await api.post('/v1/invoices', { companyId: client.id, currency: 'EUR', lines: [line], dueDate: due });
    const issued = await api.post(`/v1/invoices/${created.body.id}/stage`, { stage: 'VIEWED' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const invoiceId = created.body.id as string;
    const policy = await api.put('/v1/dunning', {
      enabled: true,
      steps: [
        { id: 'soon', offsetDays: -3, channel: 'email', subject: 'Your invoice is due soon', text: 'A friendly reminder: due in 3 days.' },
        { id: 'late', offsetDays: 7, channel: 'email', subject: 'Your invoice is late', text: 'Please pay now.' },
      ],
      lateFee: { fixed: '40.00' },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);

    // 3 days before: one reminder, however often the job runs
    for (let i = 0; i < 3; i++) await runJobs(addDays(due, -3));
    await eventually(async () => (await emailsTo(email)).length >= 1, 'the reminder e-mail');

    // due today is not overdue; the day after is, once
    expect((await runJobs(due)).overdue.opened).toBe(0);
    expect((await runJobs(addDays(due, 1))).overdue.opened).toBe(1);
    expect((await runJobs(addDays(due, 1))).overdue.opened).toBe(0);

    // paid: the episode closes; the payment reversed: late again is episode 2
    const paid = await api.post(`/v1/invoices/${invoiceId}/payments`, { amount: '60.50', date: todayUtc(), method: 'bank_transfer' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect((await runJobs(addDays(due, 2))).overdue.closed).toBe(1);
    const reversed = await api.del(`/v1/payments/${paid.body.id}/allocations/${paid.body.allocations[0].id}`);
    expect(reversed.status, JSON.stringify(reversed.body)).toBe(200);
    // the bank returned the money: no client credit left (credit covering the balance would stop reminders)
    const refunded = await api.post(`/v1/payments/${paid.body.id}/refunds`, { amount: '60.50', date: todayUtc() });
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(201);
    const again = await runJobs(addDays(due, 3));
    expect(again.overdue.tenants[tenant.tenantId].opened).toEqual([{ invoiceId, episode: 2 }]);

    // a week late: the second reminder and the late fee, once
    const week = await runJobs(addDays(due, 7));
    expect(week.reminders.sent).toBe(1);
    expect(week.reminders.lateFees).toBe(1);
    const weekAgain = await runJobs(addDays(due, 7));
    expect(weekAgain.reminders.sent + weekAgain.reminders.lateFees).toBe(0);
    const fee = await api.get(`/v1/invoices/${week.reminders.tenants[tenant.tenantId].lateFees[0]}`);
    expect(fee.body).toMatchObject({ lateFeeFor: invoiceId, status: 'draft', totals: { total: '40.00' } });
    expect((await api.get(`/v1/invoices/${invoiceId}`)).body.totals.total).toBe('60.50');

    await eventually(async () => (await emailsTo(email)).length >= 2, 'the second reminder e-mail');
    await stack().settle();
    const mails = await emailsTo(email);
    expect(mails.map((m) => m.subject).sort()).toEqual(['Your invoice is due soon', 'Your invoice is late']);
    const overdueEvents = (await eventsOf(tenant.tenantId, invoiceId)).filter((e) => e.detailType === 'invoice.overdue');
    expect(overdueEvents.map((e) => e.detail.episode)).toEqual([1, 2]);
  });

  it('no reminder for an invoice the client credit covers', async () => {
    const email = `credit-${randomUUID().slice(0, 8)}@client.example`;
    const client = await aClient(api, { email });
    const due = addDays(todayUtc(), 5);
    const created = await api.post('/v1/invoices', { companyId: client.id, currency: 'EUR', lines: [line], dueDate: due });
    await api.post(`/v1/invoices/${created.body.id}/stage`, { stage: 'VIEWED' });
    const credit = await api.post('/v1/payments', { clientId: client.id, currency: 'EUR', amount: '100.00', date: todayUtc(), method: 'bank_transfer' });
    expect(credit.status, JSON.stringify(credit.body)).toBe(201);
    await api.put('/v1/dunning', { enabled: true, steps: [{ id: 'late', offsetDays: 1, channel: 'email', text: 'Please pay' }] });
    const run = await runJobs(addDays(due, 1));
    expect(run.reminders.tenants[tenant.tenantId].skipped).toEqual([{ invoiceId: created.body.id, stepId: 'late', reason: 'client_credit_covers_balance' }]);
    await stack().settle();
    expect(await emailsTo(email)).toHaveLength(0);
  });
});

describe('scheduled sends', () => {
  it('fires once at its time; a cancelled one never; one for an invoice paid meanwhile says so in the timeline', async () => {
    const email = `later-${randomUUID().slice(0, 8)}@client.example`;
    const client = await aClient(api, { email });
    const issue = async () => {
      const created = await api.post('/v1/invoices', { companyId: client.id, currency: 'EUR', lines: [line], dueDate: addDays(todayUtc(), 30) });
      await api.post(`/v1/invoices/${created.body.id}/stage`, { stage: 'VIEWED' });
      return created.body.id as string;
    };
    const [a, b, c] = [await issue(), await issue(), await issue()];
    const sendAt = new Date(Date.now() + 60 * 60_000).toISOString();

    const past = await api.post(`/v1/invoices/${a}/send`, { channel: 'email', sendAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(422);
    expect(past.body.errors[0].field).toBe('sendAt');

    const scheduled = await api.post(`/v1/invoices/${a}/send`, { channel: 'email', subject: 'Your invoice, on time', sendAt });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(202);
    expect(scheduled.body.scheduledSend).toMatchObject({ id: expect.stringMatching(/^ssd_/), sendAt });
    const cancelled = await api.post(`/v1/invoices/${b}/send`, { channel: 'email', sendAt });
    expect((await api.del(`/v1/invoices/${b}/scheduled-sends/${cancelled.body.scheduledSend.id}`)).body.status).toBe('cancelled');
    await api.post(`/v1/invoices/${c}/send`, { channel: 'email', sendAt });
    const pay = await api.post(`/v1/invoices/${c}/payments`, { amount: '60.50', date: todayUtc(), method: 'bank_transfer' });
    expect(pay.status).toBe(201);

    // before its time nothing goes; at its time, once, however often the sweep runs
    expect((await invoke('sendSweep', { now: new Date(Date.now() + 30 * 60_000).toISOString() })) as any).toMatchObject({ sent: [] });
    const later = new Date(Date.now() + 61 * 60_000).toISOString();
    const runs = await Promise.all([0, 1, 2].map(() => invoke('sendSweep', { now: later }) as Promise<any>));
    expect(runs.flatMap((r) => r.sent)).toEqual([scheduled.body.scheduledSend.id]);
    expect(((await invoke('sendSweep', { now: later })) as any).sent).toEqual([]);

    const listed = await api.get(`/v1/invoices/${a}/scheduled-sends`);
    expect(listed.body.data[0]).toMatchObject({ status: 'sent', sendAt });
    const skipped = (await api.get(`/v1/invoices/${c}/scheduled-sends`)).body.data[0];
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'the invoice is paid' });
    const timeline = await api.get(`/v1/invoices/${c}/timeline`);
    expect(timeline.body.data.map((e: { kind: string }) => e.kind)).toContain('scheduled_send_skipped');

    await eventually(async () => (await emailsTo(email)).length >= 1, 'the scheduled e-mail');
    await stack().settle();
    const mails = await emailsTo(email);
    expect(mails.map((m) => m.subject)).toEqual(['Your invoice, on time']);
  });
});
