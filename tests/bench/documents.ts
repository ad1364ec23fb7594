/**
 * PDF rendering of the standard invoice template, every figure beside a floor measured in the same run:
 *  - floor: `setContent` + `pdf` of the same document (already templated, the same page numbers and print
 *    options) in a page that is already open and configured like the sandbox's (JavaScript off, interception
 *    serving the same assets), on the same browser: what a render cannot beat;
 *  - warm: the production path (template in the worker, a prepared or tenant-parked page, the sandbox),
 *    sampled alternately with the floor so that the machine's noise hits both alike;
 *  - naive: a fresh browser launched and closed for every render;
 *  - throughput: 2 renders at a time, one tenant (pages reused) and a new tenant every render (pool only);
 *  - the same renderer with Chromium's GPU (SwiftShader in the browser process, as @sparticuz/chromium's flags
 *    have it and as the renderer ran before NO_GPU_ARGS): the 200-line document and 2 at a time, for comparison;
 *  - soak: BENCH_PDF_SOAK renders (default 10,000; 1,000 quick) in one renderer, 2 at a time: failures,
 *    memory (Node RSS, Chromium's PSS) and the browser's files in /tmp at 1k and at the end;
 *  - a document requested over the API until it is ready on the local stack.
 * `BENCH_ONLY=documents` runs this section alone.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { assetNameOf, type AssetMap } from '../../functions/adapters/pdf/assets';
import { loadBuiltinTemplates } from '../../functions/adapters/pdf/builtin-templates';
import { renderDocumentPdf } from '../../functions/adapters/pdf/render-document';
import {
  CONTENT_SECURITY_POLICY,
  createPdfRenderer,
  defaultChromiumArgs,
  NO_GPU_ARGS,
  pageNumberStyle,
  sandboxDocument,
  type PdfRenderer,
} from '../../functions/adapters/pdf/renderer';
import { renderHtml, translate } from '../../functions/adapters/pdf/template-engine';
import { sampleDocumentModel, type DocumentModel } from '../../functions/domain/documents/print-model';
import { measure, report, statsOf, type Stats } from './harness';
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
const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024, 0)} MB`;

/** The floor: one page opened once and configured like the sandbox's, printing pre-templated HTML. */
async function floorPage(browser: Browser, assets: AssetMap): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setJavaScriptEnabled(false);
  await page.setRequestInterception(true);
  page.on('request', (request: HTTPRequest) => {
    const name = assetNameOf(request.url());
    const asset = name !== null ? assets[name] : undefined;
    if (asset) void request.respond({ status: 200, contentType: asset.contentType, body: Buffer.from(asset.body) }).catch(() => undefined);
    else void request.abort('blockedbyclient').catch(() => undefined);
  });
  return { page, close: () => context.close() };
}

/** What the renderer prints with (page numbers are part of the document: pageNumberStyle). */
const PDF_OPTIONS = { format: 'A4', printBackground: true, tagged: false, margin: { top: '14mm', right: '14mm', bottom: '18mm', left: '14mm' } } as const;

/** Proportional set size of a process and its descendants (Chromium's browser, zygote, renderers, ...). */
function treePss(rootPid: number | undefined): number {
  if (!rootPid) return NaN;
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone */
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      /* gone */
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Bytes under a path (du), or NaN. */
function diskUsage(path: string | undefined): number {
  if (!path) return NaN;
  try {
    return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\t')[0]);
  } catch {
    return NaN;
  }
}

/** What the browser has in /tmp: its profile directory, and Chromium's shared-memory files. */
function browserTmp(browser: Browser | undefined): { profile: number; chromiumFiles: number } {
  const pid = browser?.process()?.pid;
  let profile: string | undefined;
  try {
    profile = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .find((arg) => arg.startsWith('--user-data-dir='))
      ?.slice(16);
  } catch {
    /* no process */
  }
  const chromiumFiles = readdirSync(tmpdir()).filter((name) => name.startsWith('.org.chromium.')).length;
  return { profile: diskUsage(profile), chromiumFiles };
}

/** A full garbage collection of this process, so that memory figures are what is kept, not what is pending. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

interface Sample {
  at: number;
  nodeRss: number;
  nodeHeap: number;
  chromiumPss: number;
  profile: number;
  chromiumFiles: number;
}

function sample(at: number, renderer: PdfRenderer): Sample {
  collectGarbage();
  const memory = process.memoryUsage();
  return { at, nodeRss: memory.rss, nodeHeap: memory.heapUsed, chromiumPss: treePss(renderer.browser?.process()?.pid), ...browserTmp(renderer.browser) };
}

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
    taxId: 'B12345674',
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
  const pageNumbers = pageNumberStyle(translate('pageXofY', 'en'));
  const warmN = ctx.quick ? 10 : 30;
  const naiveN = ctx.quick ? 2 : 4;
  const throughputN = ctx.quick ? 100 : 300;
  const soakN = Number(process.env.BENCH_PDF_SOAK ?? (ctx.quick ? 1_000 : 10_000));
  const rows: Stats[] = [];
  const pages: Record<string, number | undefined> = {};
  const notes: string[] = [];

  // Cold start: a renderer that has never launched its browser, first render included.
  const coldRenderer = createPdfRenderer();
  const coldStarted = performance.now();
  await renderDocumentPdf(coldRenderer, source, docs['1-page'], { builtins, tenant: 'bench-cold' });
  const coldMs = performance.now() - coldStarted;
  await coldRenderer.close();

  const warm = createPdfRenderer();
  try {
    await renderDocumentPdf(warm, source, docs['1-page'], { builtins, tenant: 'bench' });
    const floor = await floorPage(warm.browser!, builtins.assets);
    try {
      for (const [name, model] of Object.entries(docs)) {
        const html = sandboxDocument(renderHtml(source, model, { partials: builtins.partials }), CONTENT_SECURITY_POLICY, pageNumbers);
        const n = name === '200-line' ? Math.max(6, Math.round(warmN / 2)) : warmN;
        const floorTimes: number[] = [];
        const warmTimes: number[] = [];
        const print = async () => {
          await floor.page.setContent(html, { waitUntil: 'load' });
          await floor.page.pdf(PDF_OPTIONS);
        };
        const render = async () => {
          pages[name] = (await renderDocumentPdf(warm, source, model, { builtins, tenant: 'bench' })).pages;
        };
        for (let i = 0; i < 2; i++) {
          await print();
          await render();
        }
        for (let i = 0; i < n; i++) {
          // Alternately, so that the machine's noise hits both alike.
          for (const [fn, times] of i % 2 === 0
            ? ([
                [print, floorTimes],
                [render, warmTimes],
              ] as const)
            : ([
                [render, warmTimes],
                [print, floorTimes],
              ] as const)) {
            const t0 = performance.now();
            await fn();
            times.push(performance.now() - t0);
          }
        }
        rows.push(statsOf(`floor ${name} (setContent + pdf in an open page)`, floorTimes, 1));
        rows.push(statsOf(`warm ${name}`, warmTimes, 1));
      }
    } finally {
      await floor.close();
    }

    // Sustained throughput, 2 renders at a time.
    const model = docs['1-page'];
    rows.push(
      await measure(
        'throughput 1-page, 2 at a time, one tenant',
        throughputN,
        2,
        () => renderDocumentPdf(warm, source, model, { builtins, tenant: 'bench' }),
        4,
      ),
    );
    rows.push(
      await measure(
        'throughput 1-page, 2 at a time, a new tenant every render',
        throughputN,
        2,
        (i) => renderDocumentPdf(warm, source, model, { builtins, tenant: `bench-${i}` }),
        4,
      ),
    );
  } finally {
    await warm.close();
  }

  // The renderer as it was before NO_GPU_ARGS: Chromium with SwiftShader in its browser process.
  const withGpu = createPdfRenderer({ args: defaultChromiumArgs().filter((arg) => !NO_GPU_ARGS.includes(arg)) });
  try {
    await renderDocumentPdf(withGpu, source, docs['1-page'], { builtins, tenant: 'bench' });
    rows.push(
      await measure(
        'with the GPU (before): warm 200-line',
        Math.max(6, Math.round(warmN / 2)),
        1,
        () => renderDocumentPdf(withGpu, source, docs['200-line'], { builtins, tenant: 'bench' }),
        2,
      ),
    );
    rows.push(
      await measure(
        'with the GPU (before): throughput 1-page, 2 at a time, one tenant',
        throughputN,
        2,
        () => renderDocumentPdf(withGpu, source, docs['1-page'], { builtins, tenant: 'bench' }),
        4,
      ),
    );
  } finally {
    await withGpu.close();
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

  // Soak: many renders in one renderer, 2 at a time; memory and /tmp sampled along the way.
  const soak = createPdfRenderer();
  const samples: Sample[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const soakStarted = performance.now();
  try {
    let next = 0;
    await Promise.all(
      [0, 1].map(async () => {
        while (next < soakN) {
          const i = next++;
          try {
            await renderDocumentPdf(soak, source, docs['1-page'], { builtins, tenant: `soak-${i % 3}` });
          } catch (error) {
            failures++;
            firstFailure ??= String((error as Error)?.message ?? error).slice(0, 200);
          }
          const done = i + 1;
          if (done === 1_000 || done === soakN) samples.push(sample(done, soak));
          if (done % 1000 === 0) console.log(`  soak: ${done}/${soakN}, ${failures} failures`);
        }
      }),
    );
  } finally {
    await soak.close();
  }
  const soakSeconds = (performance.now() - soakStarted) / 1000;
  const e2e = await pipeline(ctx, ctx.quick ? 3 : 8);

  const byName = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
  const table = report('PDF renders of the standard invoice template, against the floor measured beside them', rows, (row) => {
    if (row.name.startsWith('floor')) return row;
    if (row.name.includes('with the GPU')) return byName(row.name.includes('200-line') ? 'warm 200-line' : 'throughput 1-page, 2 at a time, one');
    const doc = row.name.includes('200-line') ? '200-line' : '1-page';
    return byName(`floor ${doc}`);
  });
  for (const name of Object.keys(docs)) {
    const w = byName(`warm ${name}`)!;
    const f = byName(`floor ${name}`)!;
    const n = byName(`naive ${name}`)!;
    notes.push(
      `- ${name} (${pages[name] ?? '?'} page${pages[name] === 1 ? '' : 's'}): warm p50 ${fmt(w.p50, 0)} ms = ${fmt(w.p50 / f.p50, 2)}x the floor (${fmt(f.p50, 0)} ms); naive ${fmt(n.p50, 0)} ms = ${fmt(n.p50 / w.p50, 1)}x warm`,
    );
  }
  const t1 = byName('throughput 1-page, 2 at a time, one')!;
  const tn = byName('throughput 1-page, 2 at a time, a new')!;
  notes.push(
    `- sustained, 2 at a time: ${fmt(t1.perSecond, 1)} renders/s for one tenant, ${fmt(tn.perSecond, 1)} renders/s with a new tenant every render (floor: ${fmt(1000 / byName('floor 1-page')!.p50, 1)}/s one at a time)`,
  );
  const g200 = byName('with the GPU (before): warm 200-line')!;
  const gt = byName('with the GPU (before): throughput')!;
  const w200 = byName('warm 200-line')!;
  notes.push(
    `- with the GPU, as before NO_GPU_ARGS: 200-line p50 ${fmt(g200.p50, 0)} ms (${fmt(g200.p50 / byName('floor 200-line')!.p50, 2)}x the floor; now ${fmt(w200.p50, 0)} ms), 2 at a time ${fmt(gt.perSecond, 1)} renders/s for one tenant (now ${fmt(t1.perSecond, 1)}/s, ${fmt(t1.perSecond / gt.perSecond, 1)}x)`,
  );
  notes.push(
    `- soak: ${soakN} renders (2 at a time, 3 tenants) in ${fmt(soakSeconds, 0)} s (${fmt(soakN / soakSeconds, 1)}/s), ${failures} failure${failures === 1 ? '' : 's'}${firstFailure ? ` (first: ${firstFailure})` : ''}`,
  );
  for (const s of samples) {
    notes.push(
      `  - after ${s.at}: Node RSS ${mb(s.nodeRss)} (heap in use ${mb(s.nodeHeap)}; the local stack shares the process), Chromium PSS ${mb(s.chromiumPss)}, browser profile in /tmp ${fmt(s.profile / 1024, 0)} KB, /tmp/.org.chromium.* files ${s.chromiumFiles}`,
    );
  }
  notes.push(`- cold start of the renderer (Chromium launch + first 1-page render): ${fmt(coldMs, 0)} ms`);
  notes.push(
    `- a document requested over the API until ready on the local stack: p50 ${fmt(e2e.p50, 0)} ms, p95 ${fmt(e2e.p95, 0)} ms (n=${e2e.n}; includes the stream poller and bus latency)`,
  );
  const extra = ['', ...notes].join('\n');
  console.log(extra);
  return `${table}\n${extra}`;
}
