import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createService } from '../../functions/adapters/dynamo/service';
import { Invoice } from '../../functions/domain/invoicing';
import { RuleViolation } from '../../functions/domain/kernel';
import { Allocation, Payment, type PaymentPorts } from '../../functions/domain/payments';
import { invoicePortsOn } from '../../functions/shared/wiring/invoicing';
import { paymentPortsOn } from '../../functions/shared/wiring/payments';
import { makeTenant, useLocalStack } from '../fixtures/stack';

/**
 * The ledger's transactions on DynamoDB Local, below the HTTP layer. DynamoDB Local never cancels a
 * transaction for a conflict, so a wrapper of the real client answers chosen TransactWriteItems with a
 * TransactionCanceledException shaped as DynamoDB sends it (as tests/integration/invoices-numbering.test.ts
 * does); several port sets without a shared queue stand for several Lambda containers racing for one balance.
 */
const stack = useLocalStack();

class FaultyClient {
  refusals: ((itemCount: number) => string[])[] = [];
  transactions = 0;
  constructor(private readonly real: DynamoDBDocumentClient) {}
  send(command: any, options?: any) {
    const items = command.input?.TransactItems as { Put?: { Item?: Record<string, unknown> } }[] | undefined;
    if (command.constructor.name === 'TransactWriteCommand' && items?.some((t) => t.Put?.Item?.__edb_e__ === 'payment')) {
      this.transactions++;
      const refuse = this.refusals.shift();
      if (refuse) {
        const codes = refuse(items.length);
        return Promise.reject(
          new TransactionCanceledException({
            message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
            $metadata: { httpStatusCode: 400 },
            CancellationReasons: codes.map((Code) => ({ Code, ...(Code === 'None' ? {} : { Message: Code }) })),
          }),
        );
      }
    }
    return this.real.send(command, options);
  }
}

const actor = { type: 'user' as const, id: 'usr_accountant' };
const today = () => new Date().toISOString().slice(0, 10);
let tenantId: string;
let companyId: string;
let faulty: FaultyClient;
let ports: PaymentPorts;

async function issued(total = '100.00') {
  const { service } = await import('../../functions/shared/wiring/core');
  const invoices = invoicePortsOn(service());
  const draft = await Invoice.create(invoices, {
    tenantId,
    actor,
    input: {
      companyId,
      currency: 'EUR',
      lines: [{ description: 'x', quantity: '1', unitPrice: total, taxRate: '21', withholdingRate: '15' }],
      dueDate: '2030-01-01',
    },
  });
  return Invoice.moveToStage(invoices, { tenantId, id: draft.id, to: 'VIEWED', actor });
}

beforeAll(async () => {
  const { dynamo, service } = await import('../../functions/shared/wiring/core');
  tenantId = (await makeTenant('Ledger retries')).tenantId;
  faulty = new FaultyClient(dynamo().doc);
  ports = paymentPortsOn(createService(faulty as unknown as DynamoDBDocumentClient, stack().tableName), { sleep: async () => {} });
  const created = await service()
    .entities.company.create({
      tenantId,
      id: 'cmp_01jledger00000000000000000',
      name: 'Ledger S.A.',
      legalName: 'Ledger Sociedad Anónima',
      taxId: 'B87654323',
      email: 'a@ledger.example',
      address: { line1: 'x', city: 'y', postalCode: '1', country: 'ES' },
      version: 1,
      createdAt: 'now',
      updatedAt: 'now',
    })
    .go();
  companyId = created.data.id;
});

describe('ledger transactions on DynamoDB', () => {
  it('retries a transaction cancelled by TransactionConflict and records the payment exactly once', async () => {
    // Prepare
    const invoice = await issued();
    faulty.refusals.push(
      (n) => Array.from({ length: n }, (_, i) => (i === 0 ? 'TransactionConflict' : 'None')),
      (n) => Array.from({ length: n }, (_, i) => (i === n - 1 ? 'TransactionConflict' : 'None')),
    );
    const before = faulty.transactions;

    // Act
    const payment = await Payment.recordForInvoice(ports, { tenantId, actor, id: invoice.id, amount: '106.00', date: today(), externalId: 'ext-retry' });

    // Assess
    expect(faulty.transactions - before).toBe(3);
    expect(payment).toMatchObject({ allocated: '106.00', unapplied: '0.00' });
    expect(await ports.ledger.paymentIdByExternalId(tenantId, 'ext-retry')).toBe(payment.id);
    expect((await ports.invoices.get(tenantId, invoice.id))!).toMatchObject({ status: 'paid', stage: 'PAID', settlement: { balanceDue: '0.00' } });
    expect((await ports.ledger.recordsOfInvoice(tenantId, invoice.id)).allocations).toHaveLength(1);
  });

  it('re-reads and re-checks when the version condition failed: a stale plan never over-allocates', async () => {
    // Prepare: a payment with credit, an invoice; the first try is refused as if another writer moved the invoice
    const invoice = await issued();
    const credit = await Payment.record(ports, { tenantId, actor, clientId: companyId, currency: 'EUR', amount: '200.00', date: today(), method: 'cash' });
    faulty.refusals.push((n) => Array.from({ length: n }, (_, i) => (i === 1 ? 'ConditionalCheckFailed' : 'None')));

    // Act
    const allocated = await Payment.allocate(ports, { tenantId, actor, id: credit.id, invoiceId: invoice.id, amount: '100.00' });

    // Assess
    expect(allocated).toMatchObject({ allocated: '100.00', unapplied: '100.00' });
    expect((await ports.invoices.get(tenantId, invoice.id))!.settlement).toMatchObject({ amountPaid: '100.00', balanceDue: '6.00' });
  });

  it('lets several processes race for one balance: the version conditions let exactly 10 of 14 allocations win', async () => {
    // Prepare: four "processes" (port sets without a shared queue) on the same table
    const { service } = await import('../../functions/shared/wiring/core');
    const invoice = await issued();
    const credit = await Payment.record(ports, { tenantId, actor, clientId: companyId, currency: 'EUR', amount: '500.00', date: today(), method: 'cash' });
    const processes = Array.from({ length: 4 }, () => {
      const own = paymentPortsOn(service(), { sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
      delete own.lock;
      return own;
    });
    let stale = 0;
    for (const p of processes) {
      const commit = p.ledger.commit.bind(p.ledger);
      p.ledger.commit = async (c) => {
        const result = await commit(c);
        if (result.outcome === 'stale') stale++;
        return result;
      };
    }

    // Act
    const answers = await Promise.allSettled(
      Array.from({ length: 14 }, (_, i) => Payment.allocate(processes[i % 4], { tenantId, actor, id: credit.id, invoiceId: invoice.id, amount: '10.00' })),
    );

    // Assess
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(10);
    const refused = answers.flatMap((a) => (a.status === 'rejected' ? [a.reason] : []));
    expect(refused.every((e) => e instanceof RuleViolation && (e.extra as { remaining: string }).remaining === '6.00')).toBe(true);
    expect(stale).toBeGreaterThan(0);
    expect((await ports.invoices.get(tenantId, invoice.id))!.settlement).toMatchObject({ amountPaid: '100.00', balanceDue: '6.00' });
    expect((await ports.ledger.getPayment(tenantId, credit.id))!).toMatchObject({ allocated: '100.00', unapplied: '400.00' });
  });

  it('reverses an allocation at most once, even when two reversals race', async () => {
    const invoice = await issued();
    const payment = await Payment.recordForInvoice(ports, { tenantId, actor, id: invoice.id, amount: '106.00', date: today() });
    const { service } = await import('../../functions/shared/wiring/core');
    const [a, b] = [paymentPortsOn(service()), paymentPortsOn(service())];

    const answers = await Promise.allSettled(
      [a, b].map((p) => Allocation.reverse(p, { tenantId, actor, id: payment.id, allocationId: payment.allocations[0].id, reason: 'bank_return' })),
    );

    expect(answers.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await ports.ledger.recordsOfSource(tenantId, { type: 'payment', id: payment.id })).reversals).toHaveLength(1);
    expect((await ports.invoices.get(tenantId, invoice.id))!).toMatchObject({ status: 'issued', stage: 'VIEWED', settlement: { balanceDue: '106.00' } });
  });

  it('finds allocations, reversals and refunds by their own dates (what cash-basis reports rebuild from)', async () => {
    // Prepare: a payment dated 2021-03-10 allocated on that date; an over-payment dated 2021-03-20 refunded on 2021-04-02
    const invoice = await issued();
    const paid = await Payment.recordForInvoice(ports, { tenantId, actor, id: invoice.id, amount: '50.00', date: '2021-03-10' });
    const credit = await Payment.record(ports, { tenantId, actor, clientId: companyId, currency: 'EUR', amount: '30.00', date: '2021-03-20', method: 'cash' });
    await Payment.refund(ports, { tenantId, actor, id: credit.id, amount: '30.00', date: '2021-04-02' });
    await Allocation.reverse(ports, { tenantId, actor, id: paid.id, allocationId: paid.allocations[0].id, reason: 'bank_return' });

    // Act
    const march = await ports.ledger.recordsBetween(tenantId, '2021-03-01', '2021-03-31');
    const april = await ports.ledger.recordsBetween(tenantId, '2021-04-01', '2021-04-30');
    const lastDay = await ports.ledger.recordsBetween(tenantId, '2021-03-10', '2021-03-10');
    const reversedToday = await ports.ledger.recordsBetween(tenantId, today(), today());

    // Assess: the range is inclusive on both ends and each record counts on its own date
    expect(march.allocations.map((a) => a.id)).toEqual([paid.allocations[0].id]);
    expect(march.refunds).toEqual([]);
    expect(april.refunds.map((r) => [r.paymentId, r.amount, r.date])).toEqual([[credit.id, '30.00', '2021-04-02']]);
    expect(april.allocations).toEqual([]);
    expect(lastDay.allocations).toHaveLength(1);
    expect(march.reversals).toEqual([]);
    expect(reversedToday.reversals.filter((r) => r.allocationId === paid.allocations[0].id)).toHaveLength(1);
  });
});
