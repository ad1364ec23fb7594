/**
 * The warm browser's lifecycle on real Chromium: one browser reused across renders, replaced when it
 * dies (between renders or in the middle of one), and no page or browser context left behind by a
 * render that failed (timeout, sandbox violation, printing error): once the background work is done, the
 * browser holds its launch page and the pool's pages (prepared ahead, parked for a tenant), nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { loadBuiltinFonts } from '../../functions/adapters/pdf/assets';
import { createPdfRenderer, RenderTimeoutError, SandboxViolationError, type PdfRenderer } from '../../functions/adapters/pdf/renderer';
import { pdfText } from '../fixtures/pdf-text';

let renderer: PdfRenderer;

beforeAll(async () => {
  renderer = createPdfRenderer({ assets: await loadBuiltinFonts() });
});

afterAll(async () => {
  await renderer?.close();
});

const SIMPLE = '<p>HELLO-PDF</p>';

function bigDocument(rows: number): string {
  const body = Array.from({ length: rows }, (_, i) => `<tr><td>row ${i}</td><td>${'lorem ipsum '.repeat(8)}</td></tr>`);
  return `<table>${body.join('')}</table><p>BIG-END</p>`;
}

/** Pages and browser contexts open in the browser, beside the launch page of the default context. */
async function openTargets(browser: Browser) {
  return { pages: (await browser.pages()).length, contexts: browser.browserContexts().length };
}

/** Once the background work is done: the launch page and the pool's own pages (one context each), nothing else. */
async function expectOnlyThePool(of: PdfRenderer = renderer) {
  await of.settled();
  const { prepared, parked } = of.stats();
  expect(await openTargets(of.browser!)).toEqual({ pages: 1 + prepared + parked, contexts: 1 + prepared + parked });
}

async function waitUntilDisconnected(browser: Browser) {
  for (let i = 0; i < 100 && browser.connected; i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('the warm browser', () => {
  it('is launched once and reused across renders', async () => {
    await renderer.render(SIMPLE);
    const first = renderer.browser;

    await renderer.render(SIMPLE);
    await renderer.render(SIMPLE);

    expect(first).toBeDefined();
    expect(renderer.browser).toBe(first);
    await expectOnlyThePool();
  });

  it('runs Chromium with its zygote and without a GPU (what the throughput targets rest on)', async () => {
    await renderer.render(SIMPLE);
    const args = renderer.browser!.process()!.spawnargs;

    expect(args).toContain('--disable-gpu');
    expect(args).not.toContain('--no-zygote');
    expect(args).not.toContain('--single-process');
  });

  it('is replaced on the next render after it was killed', async () => {
    await renderer.render(SIMPLE);
    const killed = renderer.browser!;

    killed.process()?.kill('SIGKILL');
    await waitUntilDisconnected(killed);
    const result = await renderer.render(SIMPLE);

    expect(await pdfText(result.pdf)).toContain('HELLO-PDF');
    expect(killed.connected).toBe(false);
    expect(renderer.browser).toBeDefined();
    expect(renderer.browser).not.toBe(killed);
    expect(renderer.browser!.connected).toBe(true);
  });

  it('is replaced even when the render starts right after the kill, before the disconnect is noticed', async () => {
    await renderer.render(SIMPLE);
    const killed = renderer.browser!;

    killed.process()?.kill('SIGKILL');
    const result = await renderer.render(SIMPLE);

    expect(await pdfText(result.pdf)).toContain('HELLO-PDF');
    expect(renderer.browser).not.toBe(killed);
  });

  it('finishes a render whose browser dies in the middle of it, on a fresh browser', async () => {
    await renderer.render(SIMPLE);
    const killed = renderer.browser!;

    const rendering = renderer.render(bigDocument(3000));
    setTimeout(() => killed.process()?.kill('SIGKILL'), 150);
    const result = await rendering;

    expect(await pdfText(result.pdf)).toContain('BIG-END');
    expect(renderer.browser).not.toBe(killed);
  });

  it('renders concurrently, each render in its own context, and leaves none behind', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => renderer.render(`<p>CONCURRENT-${i}</p>`)));

    for (const [i, result] of results.entries()) expect(await pdfText(result.pdf)).toContain(`CONCURRENT-${i}`);
    await expectOnlyThePool();
  });
});

describe('a failing render', () => {
  it('times out and still closes its page and context', async () => {
    await renderer.render(SIMPLE);
    const browser = renderer.browser!;

    await expect(renderer.render(bigDocument(20_000), { timeoutMs: 200 })).rejects.toBeInstanceOf(RenderTimeoutError);

    await expectOnlyThePool();
    expect(renderer.browser).toBe(browser);
    expect(await pdfText((await renderer.render(SIMPLE)).pdf)).toContain('HELLO-PDF');
  });

  it('replaces a browser on which renders time out twice in a row, even though it still answers', async () => {
    await renderer.render(SIMPLE);
    const browser = renderer.browser!;

    await expect(renderer.render(bigDocument(20_000), { timeoutMs: 200 })).rejects.toBeInstanceOf(RenderTimeoutError);
    await expect(renderer.render(bigDocument(20_000), { timeoutMs: 200 })).rejects.toBeInstanceOf(RenderTimeoutError);
    await renderer.settled();
    await waitUntilDisconnected(browser);
    const result = await renderer.render(SIMPLE);

    expect(browser.connected).toBe(false);
    expect(renderer.browser).not.toBe(browser);
    expect(await pdfText(result.pdf)).toContain('HELLO-PDF');
  });

  it('fails on a sandbox violation and still closes its page and context', async () => {
    await renderer.render(SIMPLE);

    const parked = renderer.stats().parked;

    const error = await renderer
      .render('<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/x"><p>x</p>', { tenant: 'refreshing' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SandboxViolationError);
    // Its page is not kept for the tenant.
    expect(renderer.stats().parked).toBe(parked);
    await expectOnlyThePool();
  });

  it('fails on broken input (a footer Chromium cannot print) and still closes its page and context', async () => {
    await renderer.render(SIMPLE);
    const browser = renderer.browser!;

    await expect(
      renderer.render(SIMPLE, {
        footer: `<style>@font-face{font-family:F;src:url(https://assets.invalid/fonts/none.woff2)}</style><div style="font-family:F">x</div>`,
      }),
    ).rejects.toThrow();

    await expectOnlyThePool();
    expect(renderer.browser).toBe(browser);
  });
});

describe('closing', () => {
  it('stops the browser and refuses further renders', async () => {
    const own = createPdfRenderer();
    await own.render(SIMPLE);
    const browser = own.browser!;

    await own.close();

    expect(browser.connected).toBe(false);
    expect(own.browser).toBeUndefined();
    await expect(own.render(SIMPLE)).rejects.toThrow(/closed/);
  });
});
