import { beforeAll, describe, expect, it } from 'vitest';
import { aClient, issuedInvoice } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

/**
 * Issuing many documents at once in one process (the local runner, a bulk job): the issue queue commits
 * them together with one counter move (group commit, functions/domain/invoicing/issuing.ts), but a
 * transaction holds at most 100 items. Credit notes carry their original, its allocation and their events
 * (about 12 items each), so a full batch of them does not fit: the store answers `too_large` and the batch
 * goes in parts, every note issued, numbers gapless.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;
let api: ApiClient;

beforeAll(async () => {
  api = apiClient(url, (await makeTenant('Bulk issue')).adminKey);
});

/** The sizes of the TransactWriteItems calls the local stack makes while `run` runs. */
async function transactionSizes<T>(run: () => Promise<T>): Promise<{ result: T; sizes: number[] }> {
  const { dynamo } = await import('../../functions/shared/wiring/core');
  const doc = dynamo().doc as unknown as { send: (command: { constructor: { name: string }; input: { TransactItems?: unknown[] } }) => Promise<unknown> };
  const send = doc.send.bind(doc);
  const sizes: number[] = [];
  doc.send = (command) => {
    if (command.constructor.name === 'TransactWriteCommand') sizes.push(command.input.TransactItems?.length ?? 0);
    return send(command);
  };
  try {
    return { result: await run(), sizes };
  } finally {
    doc.send = send;
  }
}

describe('issuing many documents at once', () => {
  it('issues 20 full credit notes together in transactions of at most 100 items, numbered without gaps', async () => {
    // Prepare: 20 issued invoices and a full credit note of each, in draft
    const client = await aClient(api);
    const lines = [{ description: 'Consulting', quantity: '4', unitPrice: '25.00', taxRate: '21' }];
    const invoices = await Promise.all(Array.from({ length: 20 }, () => issuedInvoice(api, client.id, { lines })));
    const notes = await Promise.all(
      invoices.map(async (invoice) => (await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R1', reasonText: 'returned', full: true })).body),
    );
    expect(notes.every((n) => n.status === 'draft')).toBe(true);

    // Act: issue them all at once
    const { result: issued, sizes } = await transactionSizes(() => Promise.all(notes.map((n) => api.post(`/v1/invoices/${n.id}/stage`, { stage: 'SENT' }))));

    // Assess: every note issued and applied, consecutive numbers, no transaction over the limit
    expect(issued.map((r) => r.status)).toEqual(notes.map(() => 200));
    const sequences = issued.map((r) => Number(String(r.body.number).split('-').pop())).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 20 }, (_, i) => sequences[0] + i));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sizes.filter((n) => n > 50).length).toBeGreaterThan(1); // notes were grouped, in more than one part
    for (const invoice of invoices) expect((await api.get(`/v1/invoices/${invoice.id}`)).body.balanceDue).toBe('0.00');
  });
});
