import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createService } from '../../functions/adapters/dynamo/service';
import { Invoice, type InvoicePorts } from '../../functions/domain/invoicing';
import { Conflict } from '../../functions/domain/kernel';
import { invoicePortsOn } from '../../functions/shared/wiring/invoicing';
import { makeTenant, useLocalStack } from '../fixtures/stack';

/**
 * The invoice store on DynamoDB Local, below the HTTP layer: the one-transaction stage move, and the
 * retry of a contended number. DynamoDB Local never cancels a transaction for a conflict
 * (TransactionConflict), so a fault-injecting wrapper of the real client answers the next
 * TransactWriteItems with a TransactionCanceledException shaped as DynamoDB sends it; everything
 * else goes to DynamoDB Local.
 */
const stack = useLocalStack();

class FaultyClient {
  /** Cancellation codes, per transaction item, of the next transactions to refuse. */
  refusals: ((itemCount: number) => string[])[] = [];
  transactions = 0;
  constructor(private readonly real: DynamoDBDocumentClient) {}
  send(command: any, options?: any) {
    const items = command.input?.TransactItems as { Put?: { Item?: Record<string, unknown> } }[] | undefined;
    // ElectroDB binds a service's client to the (shared) entity objects, so every write of this test
    // process passes here: only transactions that write an invoice are counted and refused
    if (command.constructor.name === 'TransactWriteCommand' && items?.some((t) => t.Put?.Item?.__edb_e__ === 'invoice')) {
      this.transactions++;
      const refuse = this.refusals.shift();
      if (refuse) {
        const codes = refuse(command.input.TransactItems.length);
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

let tenantId: string;
let companyId: string;
let faulty: FaultyClient;
let ports: InvoicePorts;
const actor = { type: 'automation' as const, id: 'rule_test' };
/** Item order of an issuing transaction: the counter, then invoice, lookup, timeline, outbox... */
const counterConflict = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? 'TransactionConflict' : 'None'));
const invoiceConflict = (n: number) => Array.from({ length: n }, (_, i) => (i === 1 ? 'ConditionalCheckFailed' : 'None'));

async function draft() {
  return Invoice.create(ports, {
    tenantId,
    actor,
    input: { companyId, currency: 'EUR', lines: [{ description: 'x', quantity: '1', unitPrice: '10', taxRate: '21' }], dueDate: '2030-01-01' },
  });
}

async function outboxOf(invoiceId: string) {
  const { service } = await import('../../functions/shared/wiring/core');
  const { data } = await (service().entities as any).outbox.query.byId({ tenantId }).go({ pages: 'all' });
  return (data as { detailType: string; detail: { invoiceId: string } }[]).filter((e) => e.detail.invoiceId === invoiceId);
}

beforeAll(async () => {
  const { dynamo, service } = await import('../../functions/shared/wiring/core');
  tenantId = (await makeTenant('Numbering retries')).tenantId;
  faulty = new FaultyClient(dynamo().doc);
  ports = invoicePortsOn(createService(faulty as unknown as DynamoDBDocumentClient, stack().tableName), { sleep: async () => {} });
  const created = await service()
    .entities.company.create({
      tenantId,
      id: 'cmp_01jretry000000000000000000',
      name: 'Retry S.A.',
      legalName: 'Retry Sociedad Anónima',
      taxId: 'B87654323',
      email: 'a@retry.example',
      address: { line1: 'x', city: 'y', postalCode: '1', country: 'ES' },
      version: 1,
      createdAt: 'now',
      updatedAt: 'now',
    })
    .go();
  companyId = created.data.id;
});

describe('issuing through the DynamoDB store', () => {
  it('retries a transaction cancelled by a conflict on the counter, and numbers once', async () => {
    // Prepare
    const invoice = await draft();
    faulty.refusals.push(counterConflict, counterConflict);
    const before = faulty.transactions;

    // Act
    const moved = await Invoice.moveToStage(ports, { tenantId, id: invoice.id, to: 'VIEWED', actor });

    // Assess
    expect(faulty.transactions - before).toBe(3);
    expect(moved).toMatchObject({ status: 'issued', number: expect.stringMatching(/-000001$/), version: 2 });
    expect(await ports.invoices.getCounter(tenantId, 'invoice', moved.issueDate!.slice(0, 4))).toMatchObject({ value: 1 });
    expect((await outboxOf(invoice.id)).map((e) => e.detailType)).toEqual(['invoice.created', 'invoice.stage_changed']);
    const timeline = await ports.invoices.timeline(tenantId, invoice.id, { limit: 10 });
    expect(timeline.data.map((t) => [t.kind, t.actor])).toEqual([
      ['created', actor],
      ['stage_changed', actor],
    ]);
  });

  it("answers 409 when the invoice's own condition failed under an expected version, writing nothing", async () => {
    const invoice = await draft();
    const counter = await ports.invoices.getCounter(tenantId, 'invoice', new Date().toISOString().slice(0, 4));
    faulty.refusals.push(invoiceConflict);

    const error = await Invoice.moveToStage(ports, { tenantId, id: invoice.id, to: 'VIEWED', actor, expectedVersion: 1 }).catch((e) => e);

    expect(error).toBeInstanceOf(Conflict);
    expect(await ports.invoices.getCounter(tenantId, 'invoice', new Date().toISOString().slice(0, 4))).toEqual(counter);
    expect((await ports.invoices.get(tenantId, invoice.id))!).toMatchObject({ status: 'draft', version: 1 });
    expect((await outboxOf(invoice.id)).map((e) => e.detailType)).toEqual(['invoice.created']);
  });

  it('keeps numbers gapless when several processes issue at once: DynamoDB Local refuses the stale counter', async () => {
    // Prepare: four "processes", each with its own issue queue, sharing the table
    const { service } = await import('../../functions/shared/wiring/core');
    const year = new Date().toISOString().slice(0, 4);
    const start = (await ports.invoices.getCounter(tenantId, 'invoice', year))?.value ?? 0;
    let refusals = 0;
    const processes = Array.from({ length: 4 }, () => {
      const own = invoicePortsOn(service());
      const commit = own.invoices.commit.bind(own.invoices);
      own.invoices.commit = async (c) => {
        const result = await commit(c);
        if (result.outcome === 'contention') refusals++;
        return result;
      };
      return own;
    });
    const drafts = await Promise.all(Array.from({ length: 20 }, () => draft()));

    // Act
    const moved = await Promise.all(drafts.map((d, i) => Invoice.moveToStage(processes[i % 4], { tenantId, id: d.id, to: 'PAID', actor })));

    // Assess
    expect(moved.map((m) => m.sequence!).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => start + i + 1));
    expect((await ports.invoices.getCounter(tenantId, 'invoice', year))!.value).toBe(start + 20);
    expect(refusals).toBeGreaterThan(0);
  });
});
