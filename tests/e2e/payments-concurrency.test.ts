import { beforeAll, describe, expect, it } from 'vitest';
import { ClientBalance, LedgerFigures } from '../../functions/domain/payments';
import { aClient, eventsOf, issuedInvoice, todayUtc } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * Concurrent writes on one balance through the HTTP API, and every cached figure rebuilt from the immutable
 * records. The local gateway serves every request in one process, whose per-item queue (PaymentLocks) orders
 * them; tests/integration/payments-ledger.test.ts runs the same race across separate "processes" (no shared
 * queue), where the version conditions of the transactions decide, and injects TransactionCanceled.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;

beforeAll(async () => {
  tenant = await makeTenant('Concurrent payments');
  api = apiClient(url, tenant.keys.accountant);
});

describe('concurrent allocations', () => {
  it('lets exactly 10 of 20 concurrent allocations of 10.00 on 106.00 due win; the rest get 422 with remaining 6.00', async () => {
    // Prepare
    const client = await aClient(apiClient(url, tenant.adminKey));
    const invoice = await issuedInvoice(apiClient(url, tenant.adminKey), client.id);
    const credit = await api.post('/v1/payments', { clientId: client.id, currency: 'EUR', amount: '500.00', date: todayUtc(), method: 'bank_transfer' });

    // Act
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => api.post(`/v1/payments/${credit.body.id}/allocations`, { invoiceId: invoice.id, amount: '10.00' })),
    );

    // Assess
    expect(answers.filter((a) => a.status === 201)).toHaveLength(10);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => [a.status, a.body.remaining, a.body.limitedBy])).toEqual(Array.from({ length: 10 }, () => [422, '6.00', 'invoice']));
    expect((await api.get(`/v1/invoices/${invoice.id}`)).body).toMatchObject({ amountPaid: '100.00', balanceDue: '6.00', paymentStatus: 'partially_paid' });
    expect((await api.get(`/v1/payments/${credit.body.id}`)).body).toMatchObject({ allocated: '100.00', unapplied: '400.00' });
  });

  it('never lets two concurrent payments over-allocate: invoice payments fit what is left, explicit allocations are refused', async () => {
    // Prepare
    const client = await aClient(apiClient(url, tenant.adminKey));
    const admin = apiClient(url, tenant.adminKey);
    const fitted = await issuedInvoice(admin, client.id);
    const explicit = await issuedInvoice(admin, client.id);

    // Act
    const [a, b] = await Promise.all(['80.00', '80.00'].map((amount) => api.post(`/v1/invoices/${fitted.id}/payments`, { amount, date: todayUtc() })));
    const [c, d] = await Promise.all(
      ['80.00', '80.00'].map((amount) =>
        api.post('/v1/payments', {
          clientId: client.id,
          currency: 'EUR',
          amount,
          date: todayUtc(),
          method: 'cash',
          allocations: [{ invoiceId: explicit.id, amount }],
        }),
      ),
    );

    // Assess
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a.body.allocated, b.body.allocated].sort()).toEqual(['26.00', '80.00']);
    expect([a.body.unapplied, b.body.unapplied].sort()).toEqual(['0.00', '54.00']);
    expect((await api.get(`/v1/invoices/${fitted.id}`)).body).toMatchObject({ balanceDue: '0.00', stage: 'PAID' });
    expect((await eventsOf(tenant.tenantId, fitted.id)).filter((e) => e.detailType === 'invoice.paid')).toHaveLength(1);
    expect([c.status, d.status].sort()).toEqual([201, 422]);
    expect([c, d].find((r) => r.status === 422)!.body).toMatchObject({ remaining: '26.00', limitedBy: 'invoice' });
    expect((await api.get(`/v1/invoices/${explicit.id}`)).body.balanceDue).toBe('26.00');
  });
});

describe('rebuilding from the records', () => {
  it('derives every cached figure (payments, invoices, client balance) from the immutable records alone', async () => {
    // Prepare: a history with partial payments, an over-payment, a later allocation, a refund and a reversal
    const admin = apiClient(url, tenant.adminKey);
    const client = await aClient(apiClient(url, tenant.adminKey));
    const i1 = await issuedInvoice(admin, client.id);
    const i2 = await issuedInvoice(admin, client.id, { lines: [{ description: 'x', quantity: '3', unitPrice: '33.33', taxRate: '10' }] });
    const i3 = await issuedInvoice(admin, client.id, { dueDate: '2020-01-31' });
    const p1 = (await api.post(`/v1/invoices/${i1.id}/payments`, { amount: '50.00', date: todayUtc() })).body;
    const p2 = (await api.post(`/v1/invoices/${i1.id}/payments`, { amount: '200.00', date: todayUtc() })).body;
    await api.post(`/v1/payments/${p2.id}/allocations`, { invoiceId: i2.id, amount: '60.00' });
    await api.post(`/v1/payments/${p2.id}/refunds`, { amount: '10.00', date: todayUtc() });
    await api.del(`/v1/payments/${p1.id}/allocations/${p1.allocations[0].id}?reason=bank_return`);
    await api.post(`/v1/payments/${p1.id}/allocations`, { invoiceId: i3.id, amount: '25.00' });

    // Act: read the records and the cached items straight from the table, rebuild
    const { paymentPorts } = await import('../../functions/shared/wiring/payments');
    const ports = paymentPorts();
    const ledger = await ClientBalance.ledger(ports, tenant.tenantId, client.id);
    const payments = await ports.ledger.getPayments(
      tenant.tenantId,
      ledger.payments.map((p) => p.id),
    );
    const rebuilt = LedgerFigures.rebuild({ invoices: ledger.invoices, payments, records: ledger.records });
    const balance = (await api.get(`/v1/companies/${client.id}/balance`)).body.data;

    // Assess
    expect(payments).toHaveLength(2);
    for (const p of payments) {
      expect({ allocated: p.allocated, refunded: p.refunded, unapplied: p.unapplied }, p.id).toEqual(rebuilt.payments.get(p.id));
    }
    for (const invoice of ledger.invoices) {
      const cached = invoice.settlement!;
      const { reopenStage: _r, ...figures } = cached;
      const { reopenStage: _s, ...derived } = rebuilt.invoices.get(invoice.id)!;
      expect(figures, invoice.id).toEqual(derived);
    }
    expect(ledger.records.reversals).toHaveLength(1);
    expect(ledger.records.refunds).toHaveLength(1);
    expect(balance).toEqual(LedgerFigures.clientBalance({ invoices: ledger.invoices, payments, records: ledger.records }, todayUtc()));
    expect(balance).toEqual([
      {
        currency: 'EUR',
        invoiced: '321.99',
        paid: '141.00',
        credited: '0.00',
        balanceDue: '180.99',
        overdue: '81.00',
        unappliedCredit: '99.00',
        creditUsed: '85.00',
      },
    ]);
  });
});
