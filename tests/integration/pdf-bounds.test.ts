/**
 * Bounded template rendering on the local stack, with real Chromium: a template that would loop for ages is
 * refused on upload (checked against the largest document the API allows), one that only explodes on some
 * data fails its document within seconds with a reason a person can act on while the API keeps answering,
 * a PDF past its page bound fails the same way, and tenants' templates cannot log or define inline partials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateRenderer } from '../../functions/adapters/pdf/template-worker';
import { anInvoice, manyLines, requestDocument } from '../fixtures/documents';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

const stack = useLocalStack();
let api: ApiClient;

beforeAll(async () => {
  const tenant = await makeTenant('Bounds Co');
  api = apiClient(() => stack().apiUrl, tenant.adminKey);
});

afterAll(async () => {
  const { closePdfRenderer } = await import('../../functions/shared/wiring/pdf');
  await closePdfRenderer();
});

/** Repeats the lines inside the lines inside the lines: 500^3 repetitions on the largest invoice. */
const NESTED_EACH = '<p>{{number}}</p>{{#each lines}}{{#each @root.lines}}{{#each @root.lines}}<i>{{description}}</i>{{/each}}{{/each}}{{/each}}';

/** Costly work that prints nothing, repeated n^2 times for n lines: only on the invoices of one client. */
const SLOW_FOR_ONE_CLIENT =
  '<p>{{number}}</p>{{#if (eq client.legalName "Slow Client S.L.")}}{{#each lines}}{{#each @root.lines}}' +
  `${'{{#if (eq (money @root.totals.total) "x")}}{{/if}}'.repeat(600)}{{/each}}{{/each}}{{/if}}`;

async function upload(source: string) {
  return api.post('/v1/templates', { name: 'Bounded', kind: 'invoice', source });
}

async function settledDocument(id: string) {
  await stack().settle(60_000);
  return (await api.get(`/v1/documents/${id}`)).body;
}

describe('on upload', () => {
  it('refuses a template that repeats the lines inside the lines, naming where and why', async () => {
    const res = await upload(NESTED_EACH);

    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        field: 'source',
        message: expect.stringMatching(
          /^line 1, column \d+: the template (repeats blocks more than \d+ times|takes longer than \d+ ms).*with the largest document allowed \(500 lines/,
        ),
      },
    ]);
  });

  it('refuses the log helper and inline partials', async () => {
    const log = await upload('<p>{{log client.name}}</p>');
    const inline = await upload('{{#*inline "again"}}{{> again}}{{/inline}}{{> again}}');

    expect(log.status).toBe(422);
    expect(log.body.errors).toEqual([{ field: 'source', message: 'line 1, column 4: Unknown helper "log"' }]);
    expect(inline.status).toBe(422);
    expect(inline.body.errors[0].message).toMatch(/inline partials and decorators .* are not allowed/);
  });
});

describe('when rendering a document', () => {
  it('fails the document within its limits with a clear reason, and the API answers while the template runs', async () => {
    // Prepare: a template that passes the upload check, and the one client whose invoices make it explode
    const template = await upload(SLOW_FOR_ONE_CLIENT);
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    const { invoice } = await anInvoice(api, { company: { legalName: 'Slow Client S.L.' }, lines: manyLines(80) });

    // Act
    const requested = await requestDocument(api, invoice.id, template.body.id);
    for (let i = 0; i < 3_000 && templateRenderer().stats().running === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const runningBefore = templateRenderer().stats().running;
    const meanwhile = await api.get(`/v1/documents/${requested.id}`);
    const list = await api.get('/v1/templates');
    const stillRunning = templateRenderer().stats().running;
    const doc = await settledDocument(requested.id);

    // Assess: the API answered while the template was still running, and the document failed for its reason
    expect(runningBefore).toBeGreaterThan(0);
    expect(meanwhile.status).toBe(200);
    expect(meanwhile.body.status).toBe('pending');
    expect(list.status).toBe(200);
    expect(stillRunning).toBeGreaterThan(0);
    expect(doc.status).toBe('failed');
    expect(doc.reason).toMatch(/^the template is too heavy to render: the template takes longer than \d+ ms to render$/);
    expect(stack().bus.received.filter((e) => e['detail-type'] === 'document.failed' && e.detail.documentId === doc.id)).toHaveLength(1);
  });

  it('renders the same template for any other client', async () => {
    const template = await upload(SLOW_FOR_ONE_CLIENT);
    const { invoice } = await anInvoice(api, { lines: manyLines(80) });

    const doc = await settledDocument((await requestDocument(api, invoice.id, template.body.id)).id);

    expect(doc.status).toBe('ready');
  });

  it('fails a document that would print more pages than allowed, without printing them all', async () => {
    // Prepare: nothing on upload can know the page count; this template makes thousands of empty pages
    const template = await upload('<p>{{number}}</p><div style="height: 2000000mm"></div><p>END</p>');
    expect(template.status).toBe(201);
    const { invoice } = await anInvoice(api);

    // Act
    const doc = await settledDocument((await requestDocument(api, invoice.id, template.body.id)).id);

    // Assess
    expect(doc.status).toBe('failed');
    expect(doc.reason).toMatch(/^the document is too large to print: the PDF has more than \d+ pages$/);
  });
});
