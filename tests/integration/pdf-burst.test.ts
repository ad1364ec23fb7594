/**
 * A burst of documents on the local stack, with real Chromium: the local bus hands all of them to the render
 * function at once, the renderer queues them (bounded concurrency, a deadline that counts render time only)
 * and every one of them ends ready, exactly once, with its PDF; nothing waits in the dead-letter list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anInvoice, download, requestDocument } from '../fixtures/documents';
import { pdfText } from '../fixtures/pdf-text';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

const BURST = 100;
const stack = useLocalStack();
let api: ApiClient;

beforeAll(async () => {
  const tenant = await makeTenant('Burst Co');
  api = apiClient(() => stack().apiUrl, tenant.adminKey);
});

afterAll(async () => {
  const { closePdfRenderer } = await import('../../functions/shared/wiring/pdf');
  await closePdfRenderer();
});

describe(`a burst of ${BURST} documents`, () => {
  it('renders every one of them, once', { timeout: 300_000 }, async () => {
    // Prepare
    const { invoice } = await anInvoice(api);
    const deadLetters = stack().bus.deadLetters.length;

    // Act: all requested before the bus settles, in waves of 25 so that the API (one process here, one Lambda
    // per request in AWS) answers within its 29 s on a loaded machine; the renderer still gets them in bursts
    const requested: { id: string }[] = [];
    for (let wave = 0; wave < BURST; wave += 25) {
      requested.push(...(await Promise.all(Array.from({ length: 25 }, () => requestDocument(api, invoice.id)))));
    }
    await stack().settle(240_000);
    const docs = await Promise.all(requested.map(async ({ id }) => (await api.get(`/v1/documents/${id}`)).body));

    // Assess
    expect(docs.filter((doc) => doc.status !== 'ready').map((doc) => `${doc.id}: ${doc.status} ${doc.reason ?? ''}`)).toEqual([]);
    const created = stack().bus.received.filter((e) => e['detail-type'] === 'document.created');
    for (const { id } of requested) expect(created.filter((e) => e.detail.documentId === id)).toHaveLength(1);
    expect(stack().bus.deadLetters).toHaveLength(deadLetters);
    for (const doc of [docs[0], docs[BURST - 1]]) expect(await pdfText(await download(doc.pdfUrl))).toContain('Cliente Ejemplar S.L.');
  });
});
