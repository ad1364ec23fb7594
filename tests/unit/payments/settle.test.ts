import { describe, expect, it } from 'vitest';
import { Invoice } from '../../../functions/domain/invoicing';
import { Payment } from '../../../functions/domain/payments';
import { acme } from '../../fixtures/invoicing-fakes';
import { memoryPaymentPorts } from '../../fixtures/payments-fakes';

const tenantId = 'ten_01jtenant0000000000000000';
const actor = { type: 'system' as const, id: 'stripe' };

async function setup() {
  const s = memoryPaymentPorts();
  s.companies.set(acme.id, acme);
  const draft = await Invoice.create(s.ports, {
    tenantId,
    actor,
    input: { companyId: acme.id, currency: 'EUR', lines: [{ description: 'x', quantity: '1', unitPrice: '100.00', taxRate: '21' }], dueDate: '2026-04-15' },
  });
  const invoice = await Invoice.moveToStage(s.ports, { tenantId, id: draft.id, to: 'SENT', actor });
  return { ...s, invoice };
}

const settlement = (invoiceId: string, reversed: string, amount = '121.00') => ({
  payment: { externalId: 'pi_1', invoiceId, amount, currency: 'EUR', date: '2026-03-15', method: 'card' as const, reference: 'cs_1' },
  reversed,
});

describe('settling a card payment by its externalId (the Stripe intake verb)', () => {
  it('records it once however often it is settled', async () => {
    const { paymentPorts, invoices, invoice, ledger } = await setup();

    await Payment.settle(paymentPorts, { tenantId, actor, settlement: settlement(invoice.id, '0.00') });
    const again = await Payment.settle(paymentPorts, { tenantId, actor, settlement: settlement(invoice.id, '0.00') });

    expect(ledger.payments.size).toBe(1);
    expect(again).toMatchObject({ origin: 'stripe', method: 'card', externalId: 'pi_1', allocated: '121.00' });
    expect(await invoices.get(tenantId, invoice.id)).toMatchObject({ stage: 'PAID' });
  });

  it('brings a partial refund up to the total said: reverses the allocation, refunds, allocates the rest back', async () => {
    const { paymentPorts, invoices, invoice, ledger } = await setup();
    await Payment.settle(paymentPorts, { tenantId, actor, settlement: settlement(invoice.id, '0.00') });

    const refunded = await Payment.settle(paymentPorts, { tenantId, actor, settlement: settlement(invoice.id, '21.00') });
    const replayed = await Payment.settle(paymentPorts, { tenantId, actor, settlement: settlement(invoice.id, '21.00') });

    expect(refunded).toMatchObject({ refunded: '21.00', allocated: '100.00', unapplied: '0.00' });
    expect(replayed).toMatchObject({ refunded: '21.00', allocated: '100.00' });
    expect(ledger.records.reversals).toHaveLength(1);
    expect(await invoices.get(tenantId, invoice.id)).toMatchObject({ stage: 'SENT', status: 'issued', settlement: { balanceDue: '21.00' } });
    expect(invoices.outbox.filter((e) => e.detailType === 'invoice.reopened')).toHaveLength(1);
  });

  it('waits for the payment when only the refund is known, and keeps money for an invoice that takes none as credit', async () => {
    const { paymentPorts, ledger, invoice } = await setup();

    const waiting = await Payment.settle(paymentPorts, { tenantId, actor, settlement: { payment: null, reversed: '10.00' } });
    const over = await Payment.settle(paymentPorts, { tenantId, actor, settlement: settlement(invoice.id, '0.00', '150.00') });

    expect(waiting).toBeNull();
    expect(ledger.payments.size).toBe(1);
    expect(over).toMatchObject({ allocated: '121.00', unapplied: '29.00' });
  });
});
