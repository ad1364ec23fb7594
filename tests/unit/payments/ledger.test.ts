import { describe, expect, it } from 'vitest';
import { Invoice, Settlement } from '../../../functions/domain/invoicing';
import { Conflict, DEFAULT_INVOICE_PIPELINE, RuleViolation, type Pipeline } from '../../../functions/domain/kernel';
import { Allocation, LedgerFigures, Payment, PaymentLocks } from '../../../functions/domain/payments';
import { acme } from '../../fixtures/invoicing-fakes';
import { memoryPaymentPorts } from '../../fixtures/payments-fakes';

const tenantId = 'ten_01jtenant0000000000000000';
const actor = { type: 'user' as const, id: 'usr_accountant' };
const irpfLine = { description: 'Consulting', quantity: '1', unitPrice: '100.00', taxRate: '21', withholdingRate: '15' };

async function failure(run: () => unknown): Promise<any> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

async function setup(stage = 'VIEWED') {
  const s = memoryPaymentPorts();
  s.companies.set(acme.id, acme);
  const draft = await Invoice.create(s.ports, { tenantId, actor, input: { companyId: acme.id, currency: 'EUR', lines: [irpfLine], dueDate: '2026-04-15' } });
  const invoice = await Invoice.moveToStage(s.ports, { tenantId, id: draft.id, to: stage, actor });
  return { ...s, invoice };
}

describe('money on an invoice (invoicing Settlement)', () => {
  it('pays what the client owes after withholding: payable 106.00, tax-inclusive total 121.00', async () => {
    const { invoice } = await setup();

    expect(Settlement.amountPayable(invoice)).toBe('106.00');
    expect(Settlement.taxInclusiveTotal(invoice)).toBe('121.00');
    expect(Settlement.settlementView(invoice)).toEqual({
      amountPayable: '106.00',
      amountPaid: '0.00',
      amountCredited: '0.00',
      balanceDue: '106.00',
      paymentStatus: 'unpaid',
      paidAt: null,
    });
  });

  it('turns sums into figures exactly: no tolerance, never below zero, paid only at 0.00', async () => {
    const { invoice } = await setup();
    const at = '2026-03-15T10:00:00.000Z';

    expect(Settlement.settlementOf(invoice, { paid: '105.99', credited: 0, lastAllocationAt: at })).toMatchObject({
      balanceDue: '0.01',
      paymentStatus: 'partially_paid',
      paidAt: null,
    });
    expect(Settlement.settlementOf(invoice, { paid: '100', credited: '6', lastAllocationAt: at })).toMatchObject({
      balanceDue: '0.00',
      paymentStatus: 'paid',
      paidAt: at,
    });
    expect(Settlement.settlementOf(invoice, { paid: '0', credited: '200', lastAllocationAt: at })).toMatchObject({ balanceDue: '0.00' });
  });

  it('does not move to a success stage whose required fields the invoice lacks, but still writes the figures', async () => {
    const { invoice } = await setup();
    const pipeline = structuredClone(DEFAULT_INVOICE_PIPELINE) as Pipeline;
    pipeline.stages.find((s) => s.id === 'PAID')!.requiredFields = ['notes'];
    const figures = Settlement.settlementOf(invoice, { paid: '106', credited: 0, lastAllocationAt: null });

    const change = Settlement.settle(invoice, figures, { pipeline, now: new Date('2026-03-15T10:00:00Z'), actor });

    expect(change.after).toMatchObject({ stage: 'VIEWED', status: 'issued', version: invoice.version + 1, settlement: { paymentStatus: 'paid' } });
    expect(change.events).toEqual([]);
  });
});

describe('the payment verbs (in-memory ledger)', () => {
  it('records partial payments, then moves the invoice to PAID with stage_changed and paid once', async () => {
    const { paymentPorts, invoices, invoice } = await setup();

    await Payment.recordForInvoice(paymentPorts, { tenantId, actor, id: invoice.id, amount: '6.00', date: '2026-03-15' });
    const last = await Payment.recordForInvoice(paymentPorts, { tenantId, actor, id: invoice.id, amount: '100.00', date: '2026-03-15' });

    expect(last).toMatchObject({ allocated: '100.00', unapplied: '0.00' });
    expect(await invoices.get(tenantId, invoice.id)).toMatchObject({
      stage: 'PAID',
      status: 'paid',
      settlement: { balanceDue: '0.00', reopenStage: 'VIEWED' },
    });
    const types = invoices.outbox.map((e) => e.detailType);
    expect(types.filter((t) => t === 'invoice.paid')).toHaveLength(1);
    expect(types.filter((t) => t === 'payment.recorded')).toHaveLength(2);
  });

  it('keeps an over-payment as credit, refuses to refund more than unapplied, and reverses one allocation only', async () => {
    const { paymentPorts, invoices, invoice, ledger } = await setup('SENT');
    const first = await Payment.recordForInvoice(paymentPorts, { tenantId, actor, id: invoice.id, amount: '50.00', date: '2026-03-15' });
    const over = await Payment.recordForInvoice(paymentPorts, { tenantId, actor, id: invoice.id, amount: '100.00', date: '2026-03-15' });

    const refused = await failure(() => Payment.refund(paymentPorts, { tenantId, actor, id: over.id, amount: '44.01', date: '2026-03-15' }));
    const reversed = await Allocation.reverse(paymentPorts, { tenantId, actor, id: first.id, allocationId: first.allocations[0].id, reason: 'bank_return' });
    const twice = await failure(() => Allocation.reverse(paymentPorts, { tenantId, actor, id: first.id, allocationId: first.allocations[0].id }));

    expect(over).toMatchObject({ allocated: '56.00', unapplied: '44.00' });
    expect(refused).toBeInstanceOf(RuleViolation);
    expect(refused.extra).toEqual({ remaining: '44.00', limitedBy: 'payment' });
    expect(reversed).toMatchObject({ allocated: '0.00', unapplied: '50.00' });
    expect(twice).toBeInstanceOf(Conflict);
    expect(await invoices.get(tenantId, invoice.id)).toMatchObject({
      stage: 'SENT',
      status: 'issued',
      settlement: { amountPaid: '56.00', balanceDue: '50.00' },
    });
    expect(invoices.outbox.filter((e) => e.detailType === 'invoice.reopened')).toHaveLength(1);
    // every cached figure is what the records say
    const rebuilt = LedgerFigures.rebuild({
      invoices: [(await invoices.get(tenantId, invoice.id))!],
      payments: [...ledger.payments.values()],
      records: ledger.records,
    });
    for (const p of ledger.payments.values())
      expect({ allocated: p.allocated, refunded: p.refunded, unapplied: p.unapplied }).toEqual(rebuilt.payments.get(p.id));
    const { reopenStage: _r, ...cached } = (await invoices.get(tenantId, invoice.id))!.settlement!;
    expect(cached).toEqual(rebuilt.invoices.get(invoice.id));
  });

  it('retries a plan that lost a race and re-checks it against the new balance', async () => {
    const { paymentPorts, invoice, ledger } = await setup();
    const credit = await Payment.record(paymentPorts, {
      tenantId,
      actor,
      clientId: acme.id,
      currency: 'EUR',
      amount: '300.00',
      date: '2026-03-15',
      method: 'cash',
    });
    ledger.injected.push('contention', 'stale');

    const allocated = await Payment.allocate(paymentPorts, { tenantId, actor, id: credit.id, invoiceId: invoice.id, amount: '106.00' });
    const refused = await failure(() => Payment.allocate(paymentPorts, { tenantId, actor, id: credit.id, invoiceId: invoice.id, amount: '0.01' }));

    expect(allocated.allocations[0]).toMatchObject({ amount: '106.00', fromCredit: true });
    expect(refused.extra).toEqual({ remaining: '0.00', limitedBy: 'invoice' });
  });

  it('refuses the rule breaks each naming its field', async () => {
    const { paymentPorts, invoice } = await setup();
    const base = { tenantId, actor, clientId: acme.id, currency: 'EUR', amount: '10.00', date: '2026-03-15', method: 'cash' as const };

    const fields = async (run: () => unknown) => ((await failure(run)) as RuleViolation).errors.map((e) => e.field);

    expect(await fields(() => Payment.record(paymentPorts, { ...base, amount: '0' }))).toEqual(['amount']);
    expect(await fields(() => Payment.record(paymentPorts, { ...base, currency: 'JPY', amount: '10.5' }))).toEqual(['amount']);
    expect(await fields(() => Payment.record(paymentPorts, { ...base, currency: 'KWD', amount: '10.5555' }))).toEqual(['amount']);
    expect(await fields(() => Payment.record(paymentPorts, { ...base, date: '2026-03-17' }))).toEqual(['date']);
    expect(await fields(() => Payment.record(paymentPorts, { ...base, clientId: 'cmp_01jnobody000000000000000000' }))).toEqual(['clientId']);
    expect(
      await fields(() =>
        Payment.record(paymentPorts, {
          ...base,
          allocations: [
            { invoiceId: invoice.id, amount: '5.00' },
            { invoiceId: invoice.id, amount: '5.00' },
          ],
        }),
      ),
    ).toEqual(['allocations[1].invoiceId']);
    await expect(Payment.record(paymentPorts, { ...base, date: '2026-03-16' })).resolves.toMatchObject({ date: '2026-03-16' });
  });
});

describe('the per-item queue', () => {
  it('runs calls sharing a key one after the other, in call order, and others at once', async () => {
    const lock = PaymentLocks.keyedLock();
    const order: string[] = [];
    const step = (name: string, ms: number) => async () => {
      order.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${name}-`);
    };

    await Promise.all([lock(['a', 'b'], step('1', 20)), lock(['b'], step('2', 1)), lock(['c'], step('3', 1)), lock(['a'], step('4', 1))]);

    expect(order.indexOf('2+')).toBeGreaterThan(order.indexOf('1-'));
    expect(order.indexOf('4+')).toBeGreaterThan(order.indexOf('1-'));
    expect(order.indexOf('3-')).toBeLessThan(order.indexOf('1-'));
  });
});
