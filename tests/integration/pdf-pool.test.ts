/**
 * The renderer under load, on real Chromium: pages reused for one tenant and never across tenants (what a
 * context caches for one tenant never reaches another), renders queued with bounded concurrency and a
 * deadline that counts render time only, a failing render that never takes the browser from the others,
 * and the bounds of a PDF (pages, bytes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPdfRenderer, PdfLimitError, RenderTimeoutError, type PdfRenderer } from '../../functions/adapters/pdf/renderer';
import { pdfPageTexts, pdfText } from '../fixtures/pdf-text';

let renderer: PdfRenderer;

beforeAll(() => {
  renderer = createPdfRenderer({ concurrency: 2 });
});

afterAll(async () => {
  await renderer?.close();
});

/** Rows of a table long enough to take Chromium a while to lay out and print. */
function bigDocument(rows: number, marker = 'BIG-END'): string {
  const body = Array.from({ length: rows }, (_, i) => `<tr><td>row ${i}</td><td>${'lorem ipsum '.repeat(8)}</td></tr>`);
  return `<table>${body.join('')}</table><p>${marker}</p>`;
}

/**
 * A stylesheet that writes its tenant's secret into the page, marked immutable so that the context of the page
 * that loaded it may keep it in its cache: a probe of what a context keeps, visible only where it was served.
 */
const BRANDED = '<link rel="stylesheet" href="https://assets.invalid/brand.css"><p class="brand">VISIBLE-MARKER</p>';
const brandOf = (secret: string) => ({
  'brand.css': { contentType: 'text/css', body: Buffer.from(`.brand::after { content: " ${secret}" }`), immutable: true },
});

describe('pages and tenants', () => {
  it('reuses a page for the same tenant only: what it cached for one tenant never reaches another', async () => {
    // Prepare: tenant A's page caches A's stylesheet (and many prepared pages are opened meanwhile)
    const first = await renderer.render(BRANDED, { tenant: 'tenant-a', assets: brandOf('SECRET-OF-A') });

    // Act: B asks for the same URL without having it; A asks again without supplying it
    const other = await renderer.render(BRANDED, { tenant: 'tenant-b' });
    const anonymous = await renderer.render(BRANDED);
    const again = await renderer.render(BRANDED, { tenant: 'tenant-a' });

    // Assess
    expect(await pdfText(first.pdf)).toContain('SECRET-OF-A');
    expect(await pdfText(other.pdf)).not.toContain('SECRET-OF-A');
    expect(other.blocked).toContain('https://assets.invalid/brand.css');
    expect(await pdfText(anonymous.pdf)).not.toContain('SECRET-OF-A');
    expect(anonymous.blocked).toContain('https://assets.invalid/brand.css');
    // A's own page, from A's own cache: the page was reused within the tenant.
    expect(await pdfText(again.pdf)).toContain('SECRET-OF-A');
  });

  it('never serves an image that is not immutable from a previous render, even to the same tenant', async () => {
    const logo = (body: string) => ({ 'logo.css': { contentType: 'text/css', body: Buffer.from(`.brand::after { content: " ${body}" }`) } });
    const html = '<link rel="stylesheet" href="https://assets.invalid/logo.css"><p class="brand">VISIBLE-MARKER</p>';

    const before = await renderer.render(html, { tenant: 'tenant-logo', assets: logo('OLD-LOGO') });
    const after = await renderer.render(html, { tenant: 'tenant-logo', assets: logo('NEW-LOGO') });

    expect(await pdfText(before.pdf)).toContain('OLD-LOGO');
    expect(await pdfText(after.pdf)).toContain('NEW-LOGO');
    expect(await pdfText(after.pdf)).not.toContain('OLD-LOGO');
  });
});

describe('renders under load', () => {
  it('runs at most `concurrency` renders at once; the others wait, and every one completes', async () => {
    // Prepare
    const own = createPdfRenderer({ concurrency: 2 });
    let most = 0;
    try {
      // Act
      const renders = Array.from({ length: 12 }, (_, i) => own.render(`<p>QUEUED-${i}</p>`, { tenant: `t-${i % 3}` }));
      const watch = setInterval(() => {
        most = Math.max(most, own.stats().rendering);
      }, 5);
      const results = await Promise.all(renders).finally(() => clearInterval(watch));

      // Assess
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(2);
      for (const [i, result] of results.entries()) expect(await pdfText(result.pdf)).toContain(`QUEUED-${i}`);
      expect(own.stats()).toMatchObject({ rendering: 0, queued: 0 });
    } finally {
      await own.close();
    }
  });

  it('counts only render time against the deadline, not the time spent waiting in the queue', async () => {
    // Prepare: one render at a time, and a deadline several times one render but far less than all of them
    const own = createPdfRenderer({ concurrency: 1 });
    try {
      await own.render(bigDocument(300));
      const t0 = Date.now();
      await own.render(bigDocument(300));
      const one = Math.max(1, Date.now() - t0);
      const deadline = Math.max(1_500, 5 * one);
      // enough renders that, one at a time, the queue takes about twice the deadline (renders get faster once warm)
      const count = Math.min(80, Math.max(16, Math.ceil((2 * deadline) / one)));
      const started = Date.now();

      // Act
      const results = await Promise.all(Array.from({ length: count }, (_, i) => own.render(bigDocument(300, `DONE-${i}`), { timeoutMs: deadline })));

      // Assess: the queue as a whole outlived the deadline (else this proves nothing), and no render failed
      expect(Date.now() - started).toBeGreaterThan(deadline);
      for (const [i, result] of results.entries()) expect(await pdfText(result.pdf)).toContain(`DONE-${i}`);
    } finally {
      await own.close();
    }
  });

  it('times one render out without closing the browser under the renders running beside it', async () => {
    // Prepare
    await renderer.render('<p>warm up</p>');
    const browser = renderer.browser!;

    // Act: a render that cannot make its deadline, among others that can
    const doomed = renderer.render(bigDocument(20_000), { timeoutMs: 300 });
    const others = Array.from({ length: 8 }, (_, i) => renderer.render(`<p>SURVIVOR-${i}</p>`, { tenant: `survivor-${i % 2}` }));

    // Assess
    await expect(doomed).rejects.toBeInstanceOf(RenderTimeoutError);
    const results = await Promise.all(others);
    for (const [i, result] of results.entries()) expect(await pdfText(result.pdf)).toContain(`SURVIVOR-${i}`);
    expect(renderer.browser).toBe(browser);
    expect(browser.connected).toBe(true);
  });
});

describe('the bounds of a PDF', () => {
  it('refuses a document of more pages than allowed, having printed no more than one page past the bound', async () => {
    const own = createPdfRenderer({ maxPages: 3 });
    try {
      await expect(own.render(bigDocument(2_000))).rejects.toMatchObject({ name: 'PdfLimitError', limit: 'pages' });
      const within = await own.render(bigDocument(60));
      expect((await pdfPageTexts(within.pdf)).length).toBeLessThanOrEqual(3);
    } finally {
      await own.close();
    }
  });

  it('refuses a PDF of more bytes than allowed', async () => {
    const own = createPdfRenderer({ maxBytes: 20_000 });
    try {
      const error = await own.render(bigDocument(300)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PdfLimitError);
      expect(error).toMatchObject({ limit: 'bytes' });
      expect(await pdfText((await own.render('<p>SMALL</p>')).pdf)).toContain('SMALL');
    } finally {
      await own.close();
    }
  });
});
