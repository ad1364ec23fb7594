import { describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINES, InvalidInput, dec, sum } from '../../../functions/domain/kernel';
import { Forecasting, Reports } from '../../../functions/domain/reporting';
import { RecurringForecast } from '../../../functions/domain/scheduling';
import { generateBooks, reportingPortsOver, tenantId } from '../../fixtures/reporting-fakes';

async function failure(run: () => unknown): Promise<any> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

const books = generateBooks(300, 11);

describe('status summary', () => {
  it('counts and amounts per stage and payment status add up to the invoices of the period; DSO from aging', async () => {
    const { ports } = reportingPortsOver(books);
    const period = { from: '2026-02-01', to: '2026-04-30' };
    const report = await Reports.summary(ports, { tenantId, ...period });
    const invoices = books.invoices.filter((i) => i.type === 'invoice' && i.issueDate! >= period.from && i.issueDate! <= period.to);
    expect(sum(report.byStage.map((s) => s.count)).toNumber()).toBe(invoices.length);
    expect(sum(report.byStage.map((s) => s.amount)).toFixed(2)).toBe(sum(invoices.map((i) => i.totals.total)).toFixed(2));
    expect(sum(report.byPaymentStatus.map((s) => s.count)).toNumber()).toBe(invoices.length);
    expect(sum(report.byPaymentStatus.map((s) => s.amount)).toFixed(2)).toBe(sum(invoices.map((i) => i.totals.total)).toFixed(2));
    expect(report.byPaymentStatus.find((s) => s.paymentStatus === 'paid')?.balanceDue).toBe('0.00');
    expect(report.byPaymentStatus.map((s) => s.paymentStatus)).toEqual(['unpaid', 'partially_paid', 'paid']);
    // receivables = aging's open total as of the last day
    const aging = await Reports.aging(ports, { tenantId, asOf: period.to });
    const [dso] = report.dso;
    expect(dso.receivables).toBe(aging.totals[0].total);
    expect(dso.days).toBe(89);
    expect(dso.dso).toBe(dec(dso.receivables).div(dso.sales).times(89).toFixed(1));
  });
});

describe('forecast', () => {
  it('puts open balances in the month they fall due (overdue in the first), weighted deals and recurring plans', async () => {
    const now = new Date('2026-05-15T10:00:00Z');
    const { ports } = reportingPortsOver(books, now);
    ports.openDeals = async () => [
      { id: 'deal_1', stage: 'NEW', amount: '1000.00', currency: 'EUR' },
      { id: 'deal_2', stage: 'CONTRACT_SIGNED', amount: '2000.00', currency: 'EUR', expectedCloseDate: '2026-07-01' },
      { id: 'deal_3', stage: 'WON', amount: '5000.00', currency: 'EUR' },
    ];
    ports.recurring = { plannedByMonth: async (_t, months) => months.map((month) => ({ month, currency: 'EUR', amount: '300.00' })) };
    const report = await Reports.forecast(ports, { tenantId, months: '3' });
    expect(report.months).toEqual(['2026-05', '2026-06', '2026-07']);
    expect(report.stageProbabilities).toEqual({ NEW: 25, PREPARATION: 50, CONTRACT_SIGNED: 75 });
    const may = report.rows.find((r) => r.month === '2026-05')!;
    const july = report.rows.find((r) => r.month === '2026-07')!;
    expect(may.weightedDeals).toBe('250.00');
    expect(july.weightedDeals).toBe('1500.00');
    expect(report.rows.every((r) => r.recurring === '300.00')).toBe(true);
    // every open balance as of today due by July is in some month: same total as aging's buckets by due month
    const aging = await Reports.aging(ports, { tenantId, asOf: '2026-05-15' });
    const dueByJuly = aging.invoices.filter((i) => !i.dueDate || i.dueDate <= '2026-07-31');
    expect(sum(report.rows.map((r) => r.openInvoices)).toFixed(2)).toBe(sum(dueByJuly.map((i) => i.balanceDue)).toFixed(2));
    expect(report.overdue[0].amount).toBe(sum(aging.invoices.filter((i) => i.dueDate && i.dueDate < '2026-05-15').map((i) => i.balanceDue)).toFixed(2));
    for (const r of report.rows) expect(r.total).toBe(sum([r.recurring, r.openInvoices, r.weightedDeals]).toFixed(2));
    // billing (what will be invoiced) and collections (what open invoices bring in) split the same total
    for (const r of report.rows) {
      expect(r.billing).toBe(sum([r.recurring, r.weightedDeals]).toFixed(2));
      expect(r.collections).toBe(r.openInvoices);
    }
  });

  it('refuses more than 12 months naming the field; a pipeline probability wins over the position', async () => {
    const { ports } = reportingPortsOver(books);
    for (const months of ['13', '0', 'x']) {
      const error = await failure(() => Reports.forecast(ports, { tenantId, months }));
      expect(error).toBeInstanceOf(InvalidInput);
      expect(error.errors[0].field).toBe('months');
    }
    const pipeline = { ...DEFAULT_PIPELINES.deal, stages: DEFAULT_PIPELINES.deal.stages.map((s) => (s.id === 'NEW' ? { ...s, probability: 10 } : s)) };
    expect(Forecasting.stageProbabilities(pipeline).NEW).toBe(10);
    expect(Forecasting.monthsFrom('2026-11-30', 3)).toEqual(['2026-11', '2026-12', '2027-01']);
  });
});

describe('recurring plan', () => {
  const schedule = {
    tenantId,
    id: 'rec_1',
    version: 1,
    createdAt: '2026-05-01T00:00:00Z',
    updatedAt: '2026-05-01T00:00:00Z',
    currency: 'EUR',
    lines: [{ description: 'Hosting', quantity: '1', unitPrice: '100.00', taxRate: '21' }],
    interval: 'month' as const,
    intervalCount: 1,
    startDate: '2026-04-20',
    dueInDays: 30,
    issue: true,
    send: 'none' as never,
    status: 'active' as const,
    nextIndex: 1,
    nextDate: '2026-05-20',
    made: 1,
  };
  it("plans each active schedule's periods in the months, from its next one; count and pauses stop it", () => {
    const months = ['2026-05', '2026-06', '2026-07'];
    expect(RecurringForecast.plannedByMonth([schedule], months)).toEqual(months.map((month) => ({ month, currency: 'EUR', amount: '121.00' })));
    expect(RecurringForecast.plannedByMonth([{ ...schedule, count: 2 }], months)).toEqual([{ month: '2026-05', currency: 'EUR', amount: '121.00' }]);
    expect(RecurringForecast.plannedByMonth([{ ...schedule, status: 'paused' as never }], months)).toEqual([]);
    expect(RecurringForecast.plannedByMonth([{ ...schedule, endDate: '2026-06-30' }], months).map((p) => p.month)).toEqual(['2026-05', '2026-06']);
  });
});
