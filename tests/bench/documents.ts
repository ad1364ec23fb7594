/**
 * PDF rendering of the standard invoice template (a 1-page and a 200-line invoice):
 *  - cold start: a new renderer's first render (Chromium launch, and its extraction to /tmp when not done yet);
 *  - warm: ONE renderer kept warm across renders (what render-document does per container);
 *  - naive: a fresh browser launched and closed for every render;
 * in the same run, with the ratio; and a document requested over the API until it is ready (stream, bus,
 * render function, S3, completion) on the local stack.
 */
import { renderDocumentPdf } from '../../functions/adapters/pdf/render-document';
import { loadBuiltinTemplates } from '../../functions/adapters/pdf/builtin-templates';
import { createPdfRenderer } from '../../functions/adapters/pdf/renderer';
import { sampleDocumentModel, type DocumentModel } from '../../functions/domain/documents/print-model';
import { measure, report, type Stats } from './harness';
import type { BenchContext } from './run';

function longInvoice(lines: number): DocumentModel {
  const rows = Array.from({ length: lines }, (_, i) => ({
    description: `Line item ${i + 1}: consulting and support services`,
    quantity: '2',
    unit: 'h',
    unitPrice: '50.00',
    discountPercent: null,
    taxRate: '21',
    netAmount: '100.00',
  }));
  const net = (lines * 100).toFixed(2);
  const tax = (lines * 21).toFixed(2);
  return sampleDocumentModel({
    lines: rows,
    totals: { net, tax, withholding: '0.00', total: (lines * 121).toFixed(2), taxBreakdown: [{ rate: '21', base: net, amount: tax }] },
  });
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

async function pipeline(ctx: BenchContext, n: number): Promise<Stats> {
  const headers = { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${ctx.apiUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await res.json()) as { id: string };
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const company = await post('/v1/companies', {
    name: 'Bench Client',
    legalName: 'Bench Client S.L.',
    taxId: 'B11111111',
    email: 'bench@client.example',
    address: { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
  });
  const invoice = await post('/v1/invoices', {
    companyId: company.id,
    currency: 'EUR',
    lines: [{ description: 'Consulting', quantity: '10', unitPrice: '95.00', taxRate: '21' }],
  });
  return measure(
    'API request -> document ready (stream, bus, render, S3)',
    n,
    1,
    async () => {
      const doc = await post(`/v1/invoices/${invoice.id}/documents`, {});
      for (;;) {
        const res = await fetch(`${ctx.apiUrl}/v1/documents/${doc.id}`, { headers });
        const body = (await res.json()) as { status: string; reason?: string };
        if (body.status === 'ready') return;
        if (body.status === 'failed') throw new Error(`document failed: ${body.reason}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    1,
  );
}

export async function run(ctx: BenchContext): Promise<string> {
  const builtins = await loadBuiltinTemplates();
  const source = builtins.templates.invoice;
  const docs = { '1-page': sampleDocumentModel(), '200-line': longInvoice(200) };
  const warmN = ctx.quick ? 8 : 20;
  const naiveN = ctx.quick ? 2 : 5;
  const rows: Stats[] = [];
  const pages: Record<string, number | undefined> = {};

  // Cold start: a renderer that has never launched its browser, first render included.
  const coldRenderer = createPdfRenderer();
  const coldStarted = performance.now();
  await renderDocumentPdf(coldRenderer, source, docs['1-page'], { builtins });
  const coldMs = performance.now() - coldStarted;
  await coldRenderer.close();

  const warm = createPdfRenderer();
  try {
    for (const [name, model] of Object.entries(docs)) {
      const n = name === '200-line' ? Math.max(4, Math.round(warmN / 2)) : warmN;
      rows.push(
        await measure(
          `warm ${name}`,
          n,
          1,
          async () => {
            const rendered = await renderDocumentPdf(warm, source, model, { builtins });
            pages[name] = rendered.pages;
          },
          2,
        ),
      );
    }
  } finally {
    await warm.close();
  }
  for (const [name, model] of Object.entries(docs)) {
    rows.push(
      await measure(
        `naive ${name} (fresh browser per render)`,
        naiveN,
        1,
        async () => {
          const fresh = createPdfRenderer();
          try {
            await renderDocumentPdf(fresh, source, model, { builtins });
          } finally {
            await fresh.close();
          }
        },
        0,
      ),
    );
  }
  const e2e = await pipeline(ctx, ctx.quick ? 3 : 8);

  const table = report('PDF renders of the standard invoice template: one warm browser vs a fresh browser per render', rows, (row) =>
    row.name.startsWith('naive') ? rows.find((r) => r.name === `warm ${row.name.split(' ')[1]}`) : row,
  );
  const summary = Object.keys(docs).map((name) => {
    const w = rows.find((r) => r.name === `warm ${name}`)!;
    const n = rows.find((r) => r.name.startsWith(`naive ${name}`))!;
    return `- ${name} (${pages[name] ?? '?'} page${pages[name] === 1 ? '' : 's'}): warm ${fmt(w.perSecond, 2)} renders/s (p50 ${fmt(w.p50, 0)} ms, p95 ${fmt(w.p95, 0)} ms) vs naive ${fmt(n.perSecond, 2)} renders/s (p50 ${fmt(n.p50, 0)} ms): the warm browser is ${fmt(n.p50 / w.p50, 1)}x faster per render`;
  });
  const extra = [
    '',
    ...summary,
    `- cold start of the renderer (Chromium launch + first 1-page render): ${fmt(coldMs, 0)} ms`,
    `- a document requested over the API until ready on the local stack: p50 ${fmt(e2e.p50, 0)} ms, p95 ${fmt(e2e.p95, 0)} ms (n=${e2e.n}; includes the stream poller and bus latency)`,
  ].join('\n');
  console.log(extra);
  return `${table}\n${extra}`;
}
