/**
 * What the render function does when things around the template fail: S3 dropping connections (thrown,
 * so the bus redelivers, and the document still ends ready exactly once) and a browser that cannot be
 * started at all (retried once on a fresh browser, then the document fails with a reason: nothing stays
 * pending). Faults are injected at the wire (a proxy in front of s3rver) and through the configuration.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resetConfigForTests } from '../../functions/shared/config';
import { anInvoice, download, requestDocument } from '../fixtures/documents';
import { FlakyProxy } from '../fixtures/flaky-proxy';
import { pdfText } from '../fixtures/pdf-text';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

const s3Proxy = new FlakyProxy('http://placeholder');
const stack = useLocalStack({
  env: async () => {
    (s3Proxy as unknown as { target: string }).target = inject('endpoints').s3;
    return { S3_ENDPOINT: await s3Proxy.start() };
  },
});
let api: ApiClient;

beforeAll(async () => {
  const tenant = await makeTenant('Faulty Co');
  api = apiClient(() => stack().apiUrl, tenant.adminKey);
});

afterAll(async () => {
  const { closePdfRenderer } = await import('../../functions/shared/wiring/pdf');
  await closePdfRenderer();
  await s3Proxy.stop();
});

async function settledDocument(id: string) {
  await stack().settle(60_000);
  return (await api.get(`/v1/documents/${id}`)).body;
}

const eventsFor = (detailType: string, documentId: string) =>
  stack().bus.received.filter((e) => e['detail-type'] === detailType && e.detail.documentId === documentId);

describe('render faults', () => {
  it('throws when S3 fails (the bus redelivers) and completes the document once when S3 is back', async () => {
    // Prepare
    const { invoice } = await anInvoice(api);
    const deadLetters = stack().bus.deadLetters.length;

    // Act: every S3 connection of the first delivery (the SDK's own retries included) is cut
    s3Proxy.dropConnections(3);
    const requested = await requestDocument(api, invoice.id);
    const doc = await settledDocument(requested.id);

    // Assess
    expect(s3Proxy.dropped).toBeGreaterThanOrEqual(3);
    expect(doc.status).toBe('ready');
    expect(eventsFor('document.created', doc.id)).toHaveLength(1);
    expect(stack().bus.deadLetters).toHaveLength(deadLetters);
    expect(await pdfText(await download(doc.pdfUrl))).toContain('Cliente Ejemplar S.L.');
  });

  it('fails the document with a reason when no browser can be started, after one retry on a fresh one', async () => {
    // Prepare: this container's Chromium is gone
    const wiring = await import('../../functions/shared/wiring/pdf');
    await wiring.closePdfRenderer();
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    resetConfigForTests();
    const { invoice } = await anInvoice(api);

    try {
      // Act
      const doc = await settledDocument((await requestDocument(api, invoice.id)).id);

      // Assess
      expect(doc.status).toBe('failed');
      expect(doc.reason).toMatch(/^the PDF could not be rendered: /);
      expect(doc.reason).not.toMatch(/\n/);
      expect(eventsFor('document.failed', doc.id)).toHaveLength(1);
    } finally {
      delete process.env.CHROMIUM_PATH;
      resetConfigForTests();
      await wiring.closePdfRenderer();
    }

    // And the next document renders again on a real browser
    const next = await settledDocument((await requestDocument(api, invoice.id)).id);
    expect(next.status).toBe('ready');
  });
});
