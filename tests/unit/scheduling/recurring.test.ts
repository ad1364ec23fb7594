import { describe, expect, it } from 'vitest';
import { RuleViolation } from '../../../functions/domain/kernel';
import { Recurring, RecurringInvoices, RecurringJob, type RecurringInput, type RecurringInvoice } from '../../../functions/domain/scheduling';
import { acme, memoryPorts } from '../../fixtures/invoicing-fakes';
import { MemoryRecurringStore } from '../../fixtures/scheduling-fakes';

const tenantId = 'ten_01jtenant0000000000000000';
const actor = { type: 'user' as const, id: 'usr_clerk' };
const line = { description: 'Hosting', quantity: '1', unitPrice: '100.00', taxRate: '21' };

function setup(now = '2026-01-01T09:00:00Z') {
  const invoicing = memoryPorts();
  invoicing.companies.set(acme.id, acme);
  const store = new MemoryRecurringStore();
  let clock = new Date(now);
  const ports = { recurring: store, clients: invoicing.ports.clients, now: () => clock, timeZone: async () => 'Europe/Madrid' };
  const jobPorts = () => ({ recurring: store, invoices: { ...invoicing.ports, now: () => clock }, now: () => clock });
  const setClock = (iso: string) => {
    clock = new Date(iso);
  };
  return { invoicing, store, ports, jobPorts, setClock };
}

const input = (over: Partial<RecurringInput> = {}): RecurringInput => ({
  companyId: acme.id,
  currency: 'EUR',
  lines: [line],
  interval: 'month',
  startDate: '2026-01-31',
  dueInDays: 14,
  issue: true,
  ...over,
});

async function failure(run: () => unknown): Promise<any> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('recurring invoices: the schedule', () => {
  it('previews the next dates, clamped to month ends, limited by count and endDate', async () => {
    const { ports } = setup();
    const s = await RecurringInvoices.create(ports, { tenantId, actor, input: input() });
    expect(s.nextDate).toBe('2026-01-31');
    expect(Recurring.preview(s, 4)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    const counted = await RecurringInvoices.create(ports, { tenantId, actor, input: input({ count: 2 }) });
    expect(Recurring.preview(counted, 12)).toEqual(['2026-01-31', '2026-02-28']);
    const ended = await RecurringInvoices.create(ports, { tenantId, actor, input: input({ endDate: '2026-03-30' }) });
    expect(Recurring.preview(ended, 12)).toEqual(['2026-01-31', '2026-02-28']);
  });

  it('refuses bad input naming the field: interval 0, end before start, both clients, no client', async () => {
    const { ports } = setup();
    const zero = await failure(() => RecurringInvoices.create(ports, { tenantId, actor, input: input({ intervalCount: 0 }) }));
    expect(zero).toBeInstanceOf(RuleViolation);
    expect(zero.errors[0].field).toBe('intervalCount');
    const backwards = await failure(() => RecurringInvoices.create(ports, { tenantId, actor, input: input({ endDate: '2026-01-01' }) }));
    expect(backwards.errors.map((e: { field: string }) => e.field)).toContain('endDate');
    const none = await failure(() => RecurringInvoices.create(ports, { tenantId, actor, input: input({ companyId: undefined }) }));
    expect(none.errors[0].field).toBe('companyId');
    const unknown = await failure(() => RecurringInvoices.create(ports, { tenantId, actor, input: input({ companyId: 'cmp_01jnothere00000000000000000' }) }));
    expect(unknown.errors[0]).toEqual({ field: 'companyId', message: 'no such company' });
  });

  it('pausing makes nothing; resuming skips the periods that passed while paused', async () => {
    const { ports, store, jobPorts, setClock } = setup();
    const s = await RecurringInvoices.create(ports, { tenantId, actor, input: input({ startDate: '2026-01-15' }) });
    await RecurringInvoices.pause(ports, { tenantId, actor, id: s.id });
    setClock('2026-03-20T09:00:00Z');
    expect(await RecurringJob.runDue(jobPorts(), { asOf: '2026-03-20' })).toEqual([]);
    const resumed = await RecurringInvoices.resume(ports, { tenantId, actor, id: s.id });
    expect(resumed.status).toBe('active');
    expect(resumed.nextDate).toBe('2026-04-15');
    expect((await store.get(tenantId, s.id))!.made).toBe(0);
  });

  it('an edit affects only the periods not made yet', async () => {
    const { ports, invoicing, jobPorts, setClock } = setup();
    const s = await RecurringInvoices.create(ports, { tenantId, actor, input: input({ startDate: '2026-01-10', issue: false }) });
    setClock('2026-02-10T09:00:00Z');
    await RecurringJob.runDue(jobPorts(), { asOf: '2026-02-10' });
    const edited = await RecurringInvoices.update(ports, {
      tenantId,
      actor,
      id: s.id,
      changes: { startDate: '2026-01-20', lines: [{ ...line, unitPrice: '200.00' }] },
    });
    expect(edited.nextDate).toBe('2026-02-20');
    const made = [...invoicing.invoices.invoices.values()];
    expect(made.map((i) => [i.period, i.totals.net])).toEqual([
      ['2026-01-10', '100.00'],
      ['2026-02-10', '100.00'],
    ]);
    setClock('2026-02-20T09:00:00Z');
    await RecurringJob.runDue(jobPorts(), { asOf: '2026-02-20' });
    const after = [...invoicing.invoices.invoices.values()].find((i) => i.period === '2026-02-20')!;
    expect(after.totals.net).toBe('200.00');
  });
});

describe('recurring invoices: the job makes exactly one invoice per period', () => {
  it('run 24 times for the same day: one invoice per due period, issued, due in N days', async () => {
    const { ports, invoicing, jobPorts, setClock } = setup();
    const s = await RecurringInvoices.create(ports, { tenantId, actor, input: input() });
    setClock('2026-01-31T08:00:00Z');
    for (let i = 0; i < 24; i++) await RecurringJob.runDue(jobPorts(), { asOf: '2026-01-31' });
    const made = [...invoicing.invoices.invoices.values()];
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({
      recurringInvoiceId: s.id,
      period: '2026-01-31',
      status: 'issued',
      stage: 'SENT',
      dueDate: '2026-02-14',
      issueDate: '2026-01-31',
    });
    expect(invoicing.invoices.outbox.filter((e) => e.detailType === 'invoice.created')).toHaveLength(1);
  });

  it('concurrent runs make each period once', async () => {
    const { ports, invoicing, jobPorts, setClock } = setup();
    await RecurringInvoices.create(ports, { tenantId, actor, input: input({ interval: 'week', startDate: '2026-01-01', issue: false }) });
    setClock('2026-01-29T08:00:00Z');
    await Promise.all(Array.from({ length: 8 }, () => RecurringJob.runDue(jobPorts(), { asOf: '2026-01-29' })));
    const periods = [...invoicing.invoices.invoices.values()].map((i) => i.period).sort();
    expect(periods).toEqual(['2026-01-01', '2026-01-08', '2026-01-15', '2026-01-22', '2026-01-29']);
  });

  it('a crash after the invoice was made and before the schedule moved: the next run finds it and moves on', async () => {
    const { ports, invoicing, store, jobPorts, setClock } = setup();
    const s = await RecurringInvoices.create(ports, { tenantId, actor, input: input() });
    setClock('2026-01-31T08:00:00Z');
    const original = store.save.bind(store);
    store.save = async () => {
      throw new Error('crash');
    };
    await expect(RecurringJob.runDue(jobPorts(), { asOf: '2026-01-31' })).rejects.toThrow('crash');
    store.save = original;
    const second = await RecurringJob.runDue(jobPorts(), { asOf: '2026-01-31' });
    expect(second.map((p) => p.created)).toEqual([false]);
    expect(invoicing.invoices.invoices.size).toBe(1);
    expect((await store.get(tenantId, s.id))!.nextDate).toBe('2026-02-28');
  });

  it('a year of month-end periods, then completed by count', async () => {
    const { ports, invoicing, store, jobPorts, setClock } = setup();
    const s = await RecurringInvoices.create(ports, { tenantId, actor, input: input({ count: 12, issue: false }) });
    for (const day of [
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
      '2026-06-30',
      '2026-07-31',
      '2026-08-31',
      '2026-09-30',
      '2026-10-31',
      '2026-11-30',
      '2026-12-31',
      '2027-01-31',
    ]) {
      setClock(`${day}T08:00:00Z`);
      await RecurringJob.runDue(jobPorts(), { asOf: day });
      await RecurringJob.runDue(jobPorts(), { asOf: day });
    }
    const periods = [...invoicing.invoices.invoices.values()].map((i) => i.period);
    expect(periods).toHaveLength(12);
    expect(periods).toContain('2026-02-28');
    expect(periods).toContain('2026-03-31');
    const done = (await store.get(tenantId, s.id)) as RecurringInvoice;
    expect(done).toMatchObject({ status: 'completed', nextDate: null, made: 12 });
  });

  it('a late run makes each missed period, each with its own period', async () => {
    const { ports, invoicing, jobPorts, setClock } = setup();
    await RecurringInvoices.create(ports, { tenantId, actor, input: input({ issue: false }) });
    setClock('2026-04-02T08:00:00Z');
    const made = await RecurringJob.runDue(jobPorts(), { asOf: '2026-04-02' });
    expect(made.map((p) => p.period)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
    expect([...invoicing.invoices.invoices.values()].map((i) => i.dueDate).sort()).toEqual(['2026-02-14', '2026-03-14', '2026-04-14']);
  });
});
