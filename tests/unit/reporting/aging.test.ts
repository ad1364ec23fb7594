import { describe, expect, it } from 'vitest';
import { Allocation, Payment } from '../../../functions/domain/payments';
import { Invoice } from '../../../functions/domain/invoicing';
import { Decimal, InvalidInput, addDays, dec, sum } from '../../../functions/domain/kernel';
import { Aging, Reports } from '../../../functions/domain/reporting';
import { acme } from '../../fixtures/invoicing-fakes';
import { memoryPaymentPorts } from '../../fixtures/payments-fakes';
import { generateBooks, reportingPortsOver, tenantId } from '../../fixtures/reporting-fakes';

const actor = { type: 'user' as const, id: 'usr_accountant' };

async function failure(run: () => unknown): Promise<any> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** An issued invoice (issued 2026-03-15 by the fakes' clock) made and paid through the real verbs. */
async function realBooks(dueDate = '2026-04-15') {
  const s = memoryPaymentPorts();
  s.companies.set(acme.id, acme);
  const draft = await Invoice.create(s.ports, {
    tenantId,
    actor,
    input: { companyId: acme.id, currency: 'EUR', lines: [{ description: 'Work', quantity: '1', unitPrice: '100.00', taxRate: '21' }], dueDate },
  });
  const invoice = await Invoice.moveToStage(s.ports, { tenantId, id: draft.id, to: 'SENT', actor });
  const data = () => ({
    invoices: [...s.invoices.invoices.values()],
    records: s.ledger.records,
    payments: [...s.ledger.payments.values()],
  });
  // the money comes later: the ledger's clock in the summer (a payment is never dated in the future)
  const pay = { ...s.paymentPorts, now: () => new Date('2026-07-01T10:00:00Z') };
  return { s, pay, invoice, data };
}

describe('aging', () => {
  it('rebuilds a past day from the records: paid after asOf is still open as of asOf, a later reversal does not reopen the past', async () => {
    const { pay, invoice, data } = await realBooks();
    const paid = await Payment.recordForInvoice(pay, { tenantId, actor, id: invoice.id, amount: '121.00', date: '2026-05-10' });
    const before = await Reports.aging(reportingPortsOver(data()).ports, { tenantId, asOf: '2026-05-01' });
    expect(before.totals[0]).toMatchObject({ total: '121.00', unappliedCredit: '0.00', net: '121.00' });
    expect(before.invoices).toEqual([expect.objectContaining({ invoiceId: invoice.id, bucket: '1-30', daysPastDue: 16, balanceDue: '121.00' })]);
    const after = await Reports.aging(reportingPortsOver(data()).ports, { tenantId, asOf: '2026-05-10' });
    expect(after.totals).toEqual([]);

    // the bank returns the transfer on 2026-05-20: open again from that day, never before
    await Allocation.reverse(pay, { tenantId, actor, id: paid.id, allocationId: paid.allocations[0].id, reason: 'returned', date: '2026-05-20' });
    const between = await Reports.aging(reportingPortsOver(data()).ports, { tenantId, asOf: '2026-05-15' });
    expect(between.totals).toEqual([]);
    const reopened = await Reports.aging(reportingPortsOver(data()).ports, { tenantId, asOf: '2026-05-20' });
    // the money is the client's unapplied credit again: shown apart
    expect(reopened.totals[0]).toMatchObject({ total: '121.00', unappliedCredit: '121.00', net: '0.00' });
    // the same asOf later gives the same report
    expect(await Reports.aging(reportingPortsOver(data(), new Date('2027-01-01T00:00:00Z')).ports, { tenantId, asOf: '2026-05-01' })).toEqual(before);
  });

  it('an invoice due today is current; 30 days past due is 1-30, 31 is 31-60; no due date is current', () => {
    const books = generateBooks(1);
    const base = { ...books.invoices[0], type: 'invoice' as const, issueDate: '2026-01-01' };
    const at = (dueDate: string | null) =>
      Aging.aging({ asOf: '2026-03-01', invoices: [{ ...base, dueDate }], records: { allocations: [], reversals: [], refunds: [] }, payments: [] });
    expect(at('2026-03-01').invoices[0].bucket).toBe('current');
    expect(at('2026-03-02').invoices[0].bucket).toBe('current');
    expect(at(addDays('2026-03-01', -30)).invoices[0].bucket).toBe('1-30');
    expect(at(addDays('2026-03-01', -31)).invoices[0].bucket).toBe('31-60');
    expect(at(addDays('2026-03-01', -121)).invoices[0].bucket).toBe('over_120');
    expect(at(null).invoices[0].bucket).toBe('current');
    expect(at('2026-03-01').buckets).toEqual(['current', '1-30', '31-60', '61-90', '91-120', 'over_120']);
  });

  it('takes custom buckets and refuses unknown ones naming the field', async () => {
    expect(Aging.bucketNames(Aging.bucketLimits('15,45'))).toEqual(['current', '1-15', '16-45', 'over_45']);
    for (const bad of ['30,20', 'a,b', '0,30', '30,,60', '1,2,3,4,5,6,7,8,9,10,11']) {
      const error = await failure(() => Aging.bucketLimits(bad));
      expect(error).toBeInstanceOf(InvalidInput);
      expect(error.errors[0].field).toBe('buckets');
    }
    const { ports } = reportingPortsOver(generateBooks(3));
    expect((await failure(() => Reports.aging(ports, { tenantId, asOf: '2026-02-30' }))).errors[0].field).toBe('asOf');
  });

  it('total = Σ balanceDue as of that day (rebuilt by hand from the records), unapplied credit apart, over 400 documents and many days', async () => {
    const books = generateBooks(400, 7);
    const { ports } = reportingPortsOver(books);
    for (const asOf of ['2026-01-15', '2026-02-28', '2026-04-30', '2026-06-30', '2026-12-31']) {
      const report = await Reports.aging(ports, { tenantId, asOf });
      let open = new Decimal(0);
      for (const invoice of books.invoices.filter((i) => i.type === 'invoice' && i.issueDate! <= asOf)) {
        const applied = books.records.allocations
          .filter((a) => a.invoiceId === invoice.id && a.date <= asOf)
          .filter((a) => !books.records.reversals.some((r) => r.allocationId === a.id && r.date <= asOf));
        open = open.plus(Decimal.max(dec(invoice.totals.total).minus(sum(applied.map((a) => a.amount))), 0));
      }
      let credit = new Decimal(0);
      for (const p of books.payments.filter((x) => x.date <= asOf)) {
        const allocated = books.records.allocations
          .filter((a) => a.source.id === p.id && a.date <= asOf)
          .filter((a) => !books.records.reversals.some((r) => r.allocationId === a.id && r.date <= asOf));
        const refunded = books.records.refunds.filter((r) => r.paymentId === p.id && r.date <= asOf);
        credit = credit.plus(
          dec(p.amount)
            .minus(sum(allocated.map((a) => a.amount)))
            .minus(sum(refunded.map((r) => r.amount))),
        );
      }
      for (const cn of books.invoices.filter((i) => i.type === 'credit_note' && i.issueDate! <= asOf)) credit = credit.plus(dec(cn.totals.total).abs());
      const [eur] = report.totals;
      expect(eur.total).toBe(open.toFixed(2));
      expect(eur.unappliedCredit).toBe(credit.toFixed(2));
      expect(eur.net).toBe(open.minus(credit).toFixed(2));
      expect(sum(report.invoices.map((i) => i.balanceDue)).toFixed(2)).toBe(eur.total);
      expect(sum(report.clients.map((c) => c.total)).toFixed(2)).toBe(eur.total);
      for (const name of report.buckets) {
        expect(sum(report.invoices.filter((i) => i.bucket === name).map((i) => i.balanceDue)).toFixed(2)).toBe(eur.buckets[name]);
      }
    }
  });
});
