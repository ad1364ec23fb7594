/**
 * Hostile templates against the renderer's sandbox, on real Chromium started with @sparticuz/chromium's
 * insecure flags (web security and the OS sandbox off). A template must not run code, read a file or
 * reach the network: nothing of /etc/passwd, /etc/hostname or the process environment may reach the
 * PDF, and a server listening on 127.0.0.1 must receive no request at all.
 *
 * Each layer is tested on its own too: with the Content-Security-Policy left out, request interception
 * alone must refuse every attempt (and name it in `blocked`).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadBuiltinFonts, type AssetMap } from '../../functions/adapters/pdf/assets';
import { createPdfRenderer, SandboxViolationError, type PdfRenderer } from '../../functions/adapters/pdf/renderer';
import { renderHtml } from '../../functions/adapters/pdf/template-engine';
import { sampleDocumentModel } from '../../functions/domain/documents/print-model';
import { pdfText } from '../fixtures/pdf-text';

let server: Server;
let origin: string;
let hits: string[] = [];
let fonts: AssetMap;
let renderer: PdfRenderer;
/** The same Chromium setup without the CSP meta: interception is the only layer left. */
let interceptionOnly: PdfRenderer;

const secrets = {
  passwd: readFileSync('/etc/passwd', 'utf8').split('\n')[0]!.split(':')[0]!, // "root"
  hostname: (() => {
    try {
      return readFileSync('/etc/hostname', 'utf8').trim() || hostname();
    } catch {
      return hostname();
    }
  })(),
};

beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.end(request.url?.endsWith('.css') ? 'body::after { content: "LEAKED-CSS" }' : 'LEAKED-HTTP');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  origin = `http://127.0.0.1:${address.port}`;
  fonts = await loadBuiltinFonts();
  renderer = createPdfRenderer({ assets: fonts });
  interceptionOnly = createPdfRenderer({ assets: fonts, contentSecurityPolicy: false });
});

afterAll(async () => {
  await renderer?.close();
  await interceptionOnly?.close();
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(() => {
  hits = [];
});

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function countImages(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Subtype\s*\/Image/g)?.length ?? 0;
}

/** Asserts that a PDF shows the visible marker and nothing of what the attack tried to read. */
async function expectClean(pdf: Buffer, marker = 'VISIBLE-MARKER') {
  const text = await pdfText(pdf);
  expect(text).toContain(marker);
  expect(text).not.toContain('PWNED');
  expect(text).not.toContain('LEAKED');
  expect(text).not.toMatch(new RegExp(`\\b${secrets.passwd}:`));
  expect(text).not.toContain('/bin/');
  expect(text).not.toContain('AWS_');
  expect(text).not.toContain('PATH=');
  expect(text).not.toMatch(new RegExp(`\\b${secrets.hostname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`));
  return text;
}

function attacks(): Record<string, { html: string; intercepted: string[] }> {
  return {
    'a <script> and inline handlers': {
      html:
        `<p>VISIBLE-MARKER</p><script>document.write('PWNED-SCRIPT')</script>` +
        `<img src="${'x'}" onerror="document.body.innerHTML='PWNED-ONERROR'">` +
        `<body onload="document.write('PWNED-ONLOAD')"><a href="javascript:document.write('PWNED')">link</a>`,
      intercepted: [],
    },
    'an image of /etc/passwd': {
      html: `<p>VISIBLE-MARKER</p><img src="file:///etc/passwd"><img src="file:///etc/hostname">`,
      intercepted: ['file:///etc/passwd', 'file:///etc/hostname'],
    },
    'an iframe of /proc/self/environ': {
      html:
        `<p>VISIBLE-MARKER</p><iframe src="file:///proc/self/environ" width="600" height="300"></iframe>` +
        `<iframe src="file:///etc/passwd" width="600" height="300"></iframe>`,
      intercepted: ['file:///proc/self/environ', 'file:///etc/passwd'],
    },
    'an object and an embed of /etc/hostname': {
      html:
        `<p>VISIBLE-MARKER</p><object data="file:///etc/hostname" width="600" height="100"></object>` +
        `<embed src="file:///etc/hostname" width="600" height="100">`,
      intercepted: ['file:///etc/hostname'],
    },
    'a stylesheet from a local HTTP server': {
      html: `<link rel="stylesheet" href="${origin}/link.css"><p>VISIBLE-MARKER</p>`,
      intercepted: [`${origin}/link.css`],
    },
    'CSS @import, url() and @font-face to the local server and to files': {
      html:
        `<style>@import url("${origin}/import.css");` +
        `body { background: url(${origin}/background.png) }` +
        `@font-face { font-family: Evil; src: url(${origin}/font.woff2) } p { font-family: Evil }` +
        `span.secret { background-image: url("file:///etc/passwd") }</style>` +
        `<p>VISIBLE-MARKER</p><span class="secret">x</span><div style="background:url('${origin}/inline-style.png')">x</div>`,
      intercepted: [`${origin}/import.css`, `${origin}/background.png`, `${origin}/font.woff2`, 'file:///etc/passwd'],
    },
    'an image from another https origin': {
      html: `<p>VISIBLE-MARKER</p><img src="https://example.com/x.png">`,
      intercepted: ['https://example.com/x.png'],
    },
    'iframes, srcdoc, svg and media from the local server': {
      html:
        `<p>VISIBLE-MARKER</p><iframe src="${origin}/frame.html"></iframe>` +
        `<iframe srcdoc="<img src='${origin}/srcdoc.png'>"></iframe>` +
        `<svg width="50" height="50"><image href="${origin}/svg.png" width="50" height="50"/></svg>` +
        `<video poster="${origin}/poster.png"></video>`,
      intercepted: [`${origin}/frame.html`, `${origin}/srcdoc.png`, `${origin}/svg.png`, `${origin}/poster.png`],
    },
    'a frame that refreshes itself to a file': {
      html:
        `<p>VISIBLE-MARKER</p><iframe width="600" height="300" srcdoc="<meta http-equiv='refresh' content='0;url=file:///etc/passwd'>"></iframe>` +
        `<iframe width="600" height="300" srcdoc="<meta http-equiv='refresh' content='0;url=${origin}/frame-refresh'>"></iframe>`,
      intercepted: [],
    },
    'prefetch, preload and <base>': {
      html:
        `<link rel="prefetch" href="${origin}/prefetch"><link rel="preload" as="image" href="${origin}/preload.png">` +
        `<link rel="dns-prefetch" href="${origin}"><link rel="preconnect" href="${origin}">` +
        `<base href="${origin}/"><img src="relative.png"><p>VISIBLE-MARKER</p>`,
      intercepted: [],
    },
    'other schemes: ws, ftp, chrome, blob': {
      html:
        `<p>VISIBLE-MARKER</p><img src="ws://127.0.0.1/ws"><img src="ftp://127.0.0.1/x.png">` +
        `<iframe src="chrome://version"></iframe><img src="blob:null/0000">`,
      // chrome: is sometimes refused by Chromium itself before interception sees it.
      intercepted: ['ws://127.0.0.1/ws', 'ftp://127.0.0.1/x.png'],
    },
  };
}

/**
 * data: URLs never go through request interception (Chromium answers them in the renderer, and an
 * intercepted data: request cannot be aborted): the CSP is the layer that refuses them.
 */
const DATA_URL_ATTACK =
  `<p>VISIBLE-MARKER</p><iframe src="data:text/html,<p>PWNED-DATA</p>"></iframe>` +
  `<object data="data:text/html,<p>PWNED-OBJECT</p>"></object>` +
  `<img src="data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='300' height='40'><text y='20'>PWNED-SVG</text></svg>">`;

describe('control: the same Chromium without the sandbox', () => {
  it('leaks /etc/passwd through an iframe and runs scripts, so the attacks below are real', async () => {
    await renderer.render('<p>warm up</p>');
    const browser = renderer.browser!;
    const page = await browser.newPage();
    try {
      await page.setContent(`<iframe src="file:///etc/passwd" width="600" height="300"></iframe><script>document.write('PWNED')</script>`, {
        waitUntil: 'load',
      });
      const text = await pdfText(Buffer.from(await page.pdf()));

      expect(text).toMatch(new RegExp(`\\b${secrets.passwd}:`));
      expect(text).toContain('PWNED');
    } finally {
      await page.close();
    }
  });
});

describe('with every layer (production setup)', () => {
  it.each(Object.keys(attacks()))('contains %s', async (name) => {
    const { html } = attacks()[name]!;

    const result = await renderer.render(html);

    await expectClean(result.pdf);
    expect(hits).toEqual([]);
  });

  it('contains data: URL frames, objects and images', async () => {
    const result = await renderer.render(DATA_URL_ATTACK);

    await expectClean(result.pdf);
  });

  it('renders a data: URL image as nothing (the CSP refuses it) and names it in blocked', async () => {
    const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    // A CSS background: a refused one draws nothing (an <img> would draw a broken-image icon).
    const html = `<p>VISIBLE-MARKER</p><div style="width:100px;height:100px;background-image:url(${pixel})"></div>`;

    const result = await renderer.render(html);

    await expectClean(result.pdf);
    expect(result.blocked.some((url) => url.startsWith('data:image/png'))).toBe(true);
    expect(countImages(result.pdf)).toBe(0);
  });

  it('refuses to print a document that navigates itself away with <meta http-equiv=refresh>', async () => {
    for (const target of ['file:///etc/passwd', `${origin}/refresh`]) {
      const html = `<meta http-equiv="refresh" content="0;url=${target}"><p>VISIBLE-MARKER</p>`;

      const outcome = await renderer.render(html).catch((error: unknown) => error);

      // Refused whether or not the refresh fired before printing: never the target, never a race.
      expect(outcome).toBeInstanceOf(SandboxViolationError);
    }
    expect(hits).toEqual([]);
  });

  it('keeps a hostile tenant template (Handlebars) just as contained', async () => {
    const template =
      `<html><head><link rel="stylesheet" href="https://assets.invalid/fonts.css"></head><body>` +
      `<h1>{{t kind}} {{number}}</h1><p>VISIBLE-MARKER</p>` +
      `<script>document.write('PWNED')</script><iframe src="file:///proc/self/environ"></iframe>` +
      `<img src="${origin}/pixel.png?n={{number}}"><p>{{client.constructor}}{{lookup client "__proto__"}}</p></body></html>`;
    const html = renderHtml(template, sampleDocumentModel());

    const result = await renderer.render(html);

    const text = await expectClean(result.pdf);
    expect(text).toContain('Invoice INV-2026-0042');
    expect(text).not.toContain('function');
    expect(hits).toEqual([]);
  });

  it('serves only the assets it was given, and only from its own origin', async () => {
    const box = (url: string) => `<div style="width:50px;height:50px;background-image:url('${url}')"></div>`;
    const assets = { 'logo.png': { contentType: 'image/png', body: PNG_1X1 } };
    const refused = [
      'https://assets.invalid/missing.png',
      'https://user:pass@assets.invalid/logo.png',
      'http://assets.invalid/logo.png',
      'https://assets.invalid.example.com/logo.png',
    ];

    const withoutLogo = await renderer.render(`<p>VISIBLE-MARKER</p>${refused.map(box).join('')}`, { assets });
    const withLogo = await renderer.render(`<p>VISIBLE-MARKER</p>${box('https://assets.invalid/logo.png')}`, { assets });

    await expectClean(withoutLogo.pdf);
    expect(countImages(withoutLogo.pdf)).toBe(0);
    expect(withoutLogo.blocked).toContain('https://assets.invalid/missing.png');
    expect(countImages(withLogo.pdf)).toBeGreaterThan(0);
    expect(withLogo.blocked).toEqual([]);
  });
});

describe('with request interception alone (no CSP)', () => {
  it.each(Object.keys(attacks()))('refuses %s', async (name) => {
    const { html, intercepted } = attacks()[name]!;

    const result = await interceptionOnly.render(html);

    await expectClean(result.pdf);
    expect(hits).toEqual([]);
    for (const url of intercepted) expect(result.blocked, `blocked names ${url}`).toContain(url);
  });
});
