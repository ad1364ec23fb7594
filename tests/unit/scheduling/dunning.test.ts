import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../../functions/domain/invoicing';
import { Dunning, Overdue, type DunningPolicy, type OverdueEpisode, type ReminderRecord } from '../../../functions/domain/scheduling';
import type { OutboxEvent } from '../../../functions/domain/kernel';

const tenantId = 'ten_01jtenant0000000000000000';
const steps = [
  { id: 'soon', offsetDays: -3, channel: 'email' as const, text: 'Due soon' },
  { id: 'late', offsetDays: 7, channel: 'email' as const, text: 'Late' },
  { id: 'final', offsetDays: 30, channel: 'sms' as const, text: 'Final notice' },
];

function invoice(over: Partial<Invoice.Info> = {}): Invoice.Info {
  return {
    tenantId,
    id: 'inv_01jinvoice000000000000000',
    number: 'INV-2027-000001',
    series: 'invoice',
    type: 'invoice',
    stage: 'SENT',
    status: 'issued',
    client: { kind: 'company', id: 'cmp_1', name: 'Acme', email: 'ap@acme.example', phone: '+34600123456' },
    lines: [],
    totals: { net: '100.00', tax: '21.00', withholding: '0.00', total: '121.00', taxBreakdown: [], withholdingBreakdown: [] },
    currency: 'EUR',
    issueDate: '2027-01-01',
    dueDate: '2027-01-31',
    responsibleUserId: 'usr_1',
    createdBy: 'usr_1',
    version: 2,
    createdAt: '2027-01-01T00:00:00Z',
    updatedAt: '2027-01-01T00:00:00Z',
    ...over,
  } as Invoice.Info;
}

function ports(inv: Invoice.Info, options: { credit?: string } = {}) {
  const reminders = new Map<string, ReminderRecord>();
  const sends: string[] = [];
  const policy: DunningPolicy = { tenantId, enabled: true, steps, lateFee: { fixed: '40.00', annualInterestRate: '10' }, version: 1, updatedAt: '' };
  return {
    sends,
    reminders,
    ports: {
      policies: { get: async () => policy, save: async () => true },
      reminders: {
        claim: async (r: ReminderRecord) => {
          const key = `${r.invoiceId}/${r.stepId}`;
          if (reminders.has(key)) return false;
          reminders.set(key, r);
          return true;
        },
        get: async (_t: string, i: string, s: string) => reminders.get(`${i}/${s}`) ?? null,
        put: async (r: ReminderRecord) => void reminders.set(`${r.invoiceId}/${r.stepId}`, r),
        listForInvoice: async () => [...reminders.values()],
      },
      invoices: { get: async () => structuredClone(inv), queryStep: async () => [] },
      clientCredit: async () => options.credit ?? '0',
      send: async ({ step, causeId }: { step: { id: string }; causeId: string }) => {
        sends.push(`${step.id}:${causeId}`);
        return { id: `run_${sends.length}`, status: 'done' };
      },
      now: () => new Date('2027-02-07T09:00:00Z'),
    },
  };
}

describe('reminder policy', () => {
  it('picks the latest step whose day has come; a before-due step is not sent once late', () => {
    expect(Dunning.stepOn({ steps }, '2027-01-31', '2027-01-27')).toBeNull();
    expect(Dunning.stepOn({ steps }, '2027-01-31', '2027-01-28')?.id).toBe('soon');
    expect(Dunning.stepOn({ steps }, '2027-01-31', '2027-01-31')?.id).toBe('soon');
    expect(Dunning.stepOn({ steps }, '2027-01-31', '2027-02-01')).toBeNull();
    expect(Dunning.stepOn({ steps }, '2027-01-31', '2027-02-07')?.id).toBe('late');
    expect(Dunning.stepOn({ steps }, '2027-01-31', '2027-06-01')?.id).toBe('final');
  });

  it('names the field of each problem: more than 10 steps, an SMS without text, duplicate ids', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ id: `s${i}`, offsetDays: i, channel: 'email' as const }));
    expect(Dunning.problems({ enabled: true, steps: many }).map((e) => e.field)).toContain('steps');
    expect(Dunning.problems({ enabled: true, steps: [{ id: 'a', offsetDays: 1, channel: 'sms' }] })).toEqual([
      { field: 'steps[0].text', message: 'an SMS step needs its text' },
    ]);
    expect(
      Dunning.problems({
        enabled: true,
        steps: [
          { id: 'a', offsetDays: 1, channel: 'email' },
          { id: 'a', offsetDays: 2, channel: 'email' },
        ],
      })[0].field,
    ).toBe('steps[1].id');
  });

  it('computes the late fee: fixed plus interest balance × rate × days / 365, in exact decimals', () => {
    const lines = Dunning.lateFeeLines({ fixed: '40', annualInterestRate: '10.15' }, invoice(), '121.00', '2027-03-02');
    // 121.00 × 10.15 % × 30 / 365 = 1.00945... -> 1.01
    expect(lines.map((l) => l.unitPrice)).toEqual(['40.00', '1.01']);
  });
});

describe('the reminders job', () => {
  it('sends each (invoice, step) once however often it runs, concurrently too', async () => {
    const inv = invoice();
    const { ports: p, sends } = ports(inv);
    await Promise.all(Array.from({ length: 24 }, () => Dunning.run(p, { tenantId, asOf: '2027-02-07', invoices: [inv] })));
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatch(/^late:evt_/);
  });

  it('sends nothing for a paid, cancelled or credit-covered invoice', async () => {
    for (const inv of [invoice({ status: 'paid' }), invoice({ status: 'void' })]) {
      const { ports: p, sends } = ports(inv);
      await Dunning.run(p, { tenantId, asOf: '2027-02-07', invoices: [inv] });
      expect(sends).toEqual([]);
    }
    const covered = ports(invoice(), { credit: '121.00' });
    const result = await Dunning.run(covered.ports, { tenantId, asOf: '2027-02-07', invoices: [invoice()] });
    expect(covered.sends).toEqual([]);
    expect(result.skipped).toEqual([{ invoiceId: invoice().id, stepId: 'late', reason: 'client_credit_covers_balance' }]);
  });

  it('a crash after claiming and before sending: the next run sends it (once, by the same cause)', async () => {
    const inv = invoice();
    const { ports: p, sends, reminders } = ports(inv);
    const send = p.send;
    p.send = async () => {
      throw new Error('crash');
    };
    await expect(Dunning.run(p, { tenantId, asOf: '2027-02-07', invoices: [inv] })).rejects.toThrow('crash');
    p.send = send;
    await Dunning.run(p, { tenantId, asOf: '2027-02-07', invoices: [inv] });
    expect(sends).toHaveLength(0); // a fresh claim may be another run's, still sending
    p.now = () => new Date('2027-02-07T09:30:00Z');
    await Dunning.run(p, { tenantId, asOf: '2027-02-07', invoices: [inv] });
    await Dunning.run(p, { tenantId, asOf: '2027-02-07', invoices: [inv] });
    expect(sends).toHaveLength(1);
    expect([...reminders.values()][0].status).toBe('sent');
  });
});

describe('overdue episodes', () => {
  function overduePorts(inv: { current: Invoice.Info }) {
    const stored = new Map<string, OverdueEpisode>();
    const events: OutboxEvent[] = [];
    return {
      stored,
      events,
      ports: {
        invoices: { get: async () => structuredClone(inv.current), queryStep: async () => [] },
        now: () => new Date('2027-02-01T09:00:00Z'),
        overdue: {
          get: async (_t: string, id: string) => stored.get(id) ?? null,
          openEpisodes: async () => [...stored.values()].filter((e) => e.open),
          save: async (next: OverdueEpisode, expected: OverdueEpisode | null, evts: OutboxEvent[]) => {
            const current = stored.get(next.invoiceId) ?? null;
            if ((current?.version ?? null) !== (expected?.version ?? null)) return false;
            stored.set(next.invoiceId, next);
            events.push(...evts);
            return true;
          },
        },
      },
    };
  }

  it("is overdue the day after the due date (due today is not), in the tenant's date", () => {
    expect(Overdue.overdueBalance(invoice(), '2027-01-31')).toBeNull();
    expect(Overdue.overdueBalance(invoice(), '2027-02-01')).toBe('121.00');
    expect(Overdue.overdueBalance(invoice({ status: 'draft' }), '2027-02-01')).toBeNull();
  });

  it('emits invoice.overdue once per episode: late, paid, reopened and late again is episode 2', async () => {
    const inv = { current: invoice() };
    const { ports: p, events } = overduePorts(inv);
    for (let i = 0; i < 5; i++) await Overdue.run(p, { tenantId, asOf: '2027-02-01', invoices: [inv.current] });
    expect(events.map((e) => e.detail.episode)).toEqual([1]);
    inv.current = invoice({ status: 'paid' });
    const closed = await Overdue.run(p, { tenantId, asOf: '2027-02-02', invoices: [] });
    expect(closed.closed).toEqual([inv.current.id]);
    inv.current = invoice();
    for (let i = 0; i < 5; i++) await Overdue.run(p, { tenantId, asOf: '2027-02-03', invoices: [inv.current] });
    expect(events.map((e) => [e.detailType, e.detail.episode])).toEqual([
      ['invoice.overdue', 1],
      ['invoice.overdue', 2],
    ]);
  });
});
