import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../infra/local/handlers';
import { emailsTo, eventually } from '../fixtures/outbox';
import { aClient, todayUtc } from '../fixtures/payments';
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
