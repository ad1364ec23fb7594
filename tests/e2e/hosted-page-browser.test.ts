/**
 * The hosted invoice page as a client sees it: a real headless Chromium (the project's own) with JavaScript
 * OFF, at a desktop and at a phone size. What the page says (seller, number, dates, lines, total, balance due,
 * status), the PDF and XML downloaded by clicking their buttons, the EPC QR code read back from a screenshot of
 * the page as a banking app's camera would, a paid invoice's page, the four languages, and what makes it usable
 * by everyone: a name for every control, contrast of every text, keyboard focus reaching each control visibly,
 * nothing wider than the phone's screen, and the strict CSP the browser itself enforces (no script runs).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChromiumArgs } from '../../functions/adapters/pdf/renderer';
import { EpcQr } from '../../functions/domain/payments';
import en from '../../templates/i18n/en.json';
import es from '../../templates/i18n/es.json';
import ro from '../../templates/i18n/ro.json';
import ru from '../../templates/i18n/ru.json';
import { eventually } from '../fixtures/outbox';
import { aClient, issuedInvoice, todayUtc } from '../fixtures/payments';
import { decodeQrPng } from '../fixtures/qr';
import { apiClient, makeTenant, useLocalStack } from '../fixtures/stack';

const stack = useLocalStack();
let browser: Browser;

const VIEWPORTS = {
  desktop: { width: 1280, height: 900, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
  phone: { width: 390, height: 844, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
} as const;
type ViewportName = keyof typeof VIEWPORTS;
const contexts = new WeakMap<Page, string | undefined>();
const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';

beforeAll(async () => {
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || (await chromium.executablePath()),
    args: defaultChromiumArgs(),
    headless: 'shell',
    pipe: true,
  });
});

afterAll(async () => {
  await browser?.close();
});

/** A tenant in `locale` with a client and an issued invoice (payable 106.00 on 100.00 + 21 % VAT - 15 % IRPF) with a ready PDF and its link. */
async function anInvoicePage(name: string, locale = 'en') {
  const tenant = await makeTenant(name, { locale });
  const api = apiClient(() => stack().apiUrl, tenant.adminKey);
  const company = await aClient(api);
  const invoice = await issuedInvoice(api, company.id, { dueDate: '2030-01-31' });
  const doc = (await api.post(`/v1/invoices/${invoice.id}/documents`, {})).body;
  await eventually(async () => (await api.get(`/v1/documents/${doc.id}`)).body.status === 'ready', 'the render');
  const ready = (await api.get(`/v1/documents/${doc.id}`)).body;
  return { api, invoice, page: ready.publicUrl as string };
}

/** A fresh page as a client's browser at `size`, JavaScript off, recording CSP violations and script runs. */
async function clientPage(size: ViewportName): Promise<{ page: Page; violations: string[]; close: () => Promise<void> }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(VIEWPORTS[size]);
  if (size === 'phone') await page.setUserAgent({ userAgent: PHONE_UA });
  await page.setJavaScriptEnabled(false);
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  contexts.set(page, context.id);
  return { page, violations, close: () => context.close() };
}

/** What a reader sees of the page (rendered text, as laid out). */
// biome-ignore lint/performance/useDomNodeTextContent: the text a reader sees (innerText leaves out hidden elements, textContent does not)
const visibleText = (page: Page) => page.$eval('body', (b) => (b as HTMLElement).innerText);

/** The QR code as the camera sees it: a screenshot of the rendered image on the page, decoded to its payload. */
async function scanQr(page: Page): Promise<string> {
  const img = await page.$('figure.qr img');
  if (!img) throw new Error('no QR image on the page');
  await img.scrollIntoView();
  const shot = Buffer.from(await img.screenshot({ type: 'png' }));
  return decodeQrPng(shot);
}

/** Clicks a link and waits for the file the browser saves (downloads allowed into a temporary folder). */
async function download(page: Page, selector: string): Promise<{ name: string; bytes: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'hosted-dl-'));
  try {
    const cdp = await browser.target().createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir, eventsEnabled: true, browserContextId: contexts.get(page) });
    const done = new Promise<string>((resolve, reject) => {
      let name = '';
      cdp.on('Browser.downloadWillBegin', (e) => {
        name = e.suggestedFilename;
      });
      cdp.on('Browser.downloadProgress', (e) => {
        if (e.state === 'completed') resolve(name);
        if (e.state === 'canceled') reject(new Error(`download of ${selector} canceled`));
      });
    });
    await page.click(selector);
    let timer: NodeJS.Timeout | undefined;
    const name = await Promise.race([
      done,
      new Promise<string>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no download from ${selector}`)), 15_000);
      }),
    ]).finally(() => clearTimeout(timer));
    await cdp.detach();
    const files = await readdir(dir);
    expect(files).toContain(name);
    return { name, bytes: await readFile(join(dir, name)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** WCAG contrast of every element with its own text against the background it is drawn on (walking up to the first opaque one). */
function contrastFindings(page: Page) {
  return page.evaluate(() => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const ch = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    const ratio = (a: number[], b: number[]) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const findings: { text: string; ratio: number; needed: number }[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const own = Array.from(el.childNodes)
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      const style = getComputedStyle(el);
      if (!own || style.visibility === 'hidden' || style.display === 'none') continue;
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const r = ratio(rgb(style.color).slice(0, 3), background(el));
      findings.push({ text: own.slice(0, 40), ratio: Math.round(r * 100) / 100, needed: large ? 3 : 4.5 });
    }
    return findings;
  });
}

/** Tabs through the page from its top: each focused element, its name, and how its focus ring contrasts with what is behind it. */
async function tabStops(page: Page, count: number) {
  const stops: { tag: string; name: string; outline: string; ringContrast: number }[] = [];
  await page.$eval('body', (b) => (b as HTMLElement).blur?.());
  for (let i = 0; i < count; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number).slice(0, 3);
      const lum = ([r, g, b]: number[]) => {
        const ch = (v: number) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
      };
      let behind = [255, 255, 255];
      for (let e = el.parentElement; e; e = e.parentElement) {
        const c = (getComputedStyle(e).backgroundColor.match(/[\d.]+/g) ?? []).map(Number);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) {
          behind = c.slice(0, 3);
          break;
        }
      }
      const [hi, lo] = [lum(rgb(style.outlineColor)), lum(behind)].sort((x, y) => y - x);
      return {
        tag: el.tagName.toLowerCase(),
        name: (el.getAttribute('aria-label') || el.textContent || '').trim(),
        outline: `${style.outlineStyle} ${style.outlineWidth}`,
        ringContrast: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100,
      };
    });
    if (!stop) break;
    stops.push(stop);
  }
  return stops;
}

describe.each(Object.keys(VIEWPORTS) as ViewportName[])('the hosted invoice page in Chromium, JavaScript off, %s size', (size) => {
  let ctx: Awaited<ReturnType<typeof anInvoicePage>>;
  beforeAll(async () => {
    ctx = await anInvoicePage(`Browser ${size} Co`);
  });

  it('shows the seller, number, dates, lines, total, balance due and status; the EPC QR on screen decodes to the transfer', async () => {
    const { page, violations, close } = await clientPage(size);
    try {
      // Act
      const res = await page.goto(ctx.page, { waitUntil: 'load' });
      const text = await visibleText(page);

      // Assess: the invoice
      expect(res?.status()).toBe(200);
      expect(await page.title()).toContain(ctx.invoice.number);
      expect(text).toContain(`Browser ${size} Co`);
      expect(await page.$eval('h1', (h) => h.textContent)).toBe(`Invoice ${ctx.invoice.number}`);
      expect(text).toMatch(/Issue date/i);
      expect(text).toContain('31 Jan 2030');
      expect(text).toContain('Consulting');
      expect(text).toContain('€100.00'); // the line
      expect(text).toContain('€106.00'); // the total
      expect(text).toMatch(/Balance due\s+€106\.00/);
      expect(text).toContain('Awaiting payment');
      expect(text).toContain('ES91 2100 0418 4502 0005 1332');
      // a strict CSP: nothing but the page's own stylesheet (by its hash) and inline images; no script source at all
      const csp = res?.headers()['content-security-policy'] ?? '';
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
      expect(csp).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
      // no script ran and none was allowed; the page's stylesheet applied (its hash is in the CSP)
      expect(await page.$$eval('script', (s) => s.length)).toBe(0);
      expect(violations).toEqual([]);
      expect(await page.$eval('.card', (c) => getComputedStyle(c).borderRadius)).not.toBe('0px');

      // Assess: the QR code as drawn on the screen
      const transfer = EpcQr.parseEpcQrPayload(await scanQr(page));
      expect(transfer).toMatchObject({
        version: '002',
        bic: 'CAIXESBBXXX',
        name: `Browser ${size} Co S.L.`,
        iban: 'ES9121000418450200051332',
        amount: '106.00',
        currency: 'EUR',
        remittance: ctx.invoice.number,
      });
    } finally {
      await close();
    }
  });

  it('fits the screen: nothing wider than the viewport, the controls big enough to tap', async () => {
    const { page, close } = await clientPage(size);
    try {
      await page.goto(ctx.page, { waitUntil: 'load' });

      const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
      const controls = await page.$$eval('a.button, button', (els) => els.map((e) => e.getBoundingClientRect().height));

      expect(widths.doc).toBeLessThanOrEqual(widths.view);
      expect(controls.length).toBeGreaterThanOrEqual(2);
      for (const h of controls) expect(h).toBeGreaterThanOrEqual(44);
    } finally {
      await close();
    }
  });

  it('downloads the PDF and the e-invoice XML by clicking their buttons', async () => {
    const { page, close } = await clientPage(size);
    try {
      await page.goto(ctx.page, { waitUntil: 'load' });

      const pdf = await download(page, `a[href$="/pdf"]`);
      const xml = await download(page, `a[href$="/xml"]`);

      expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
      expect(xml.name).toBe(`${ctx.invoice.number}.xml`);
      expect(xml.bytes.toString()).toContain(`<cbc:ID>${ctx.invoice.number}</cbc:ID>`);
    } finally {
      await close();
    }
  });

  it('is accessible: a language, one heading, a name for every control and image, readable contrast, visible keyboard focus on each control', async () => {
    const { page, close } = await clientPage(size);
    try {
      await page.goto(ctx.page, { waitUntil: 'load' });

      const structure = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        h1: document.querySelectorAll('h1').length,
        unnamedControls: Array.from(document.querySelectorAll('a, button, input, select, textarea'))
          .filter((e) => !(e.getAttribute('aria-label') || e.textContent?.trim() || (e.id && document.querySelector(`label[for="${e.id}"]`))))
          .map((e) => e.outerHTML.slice(0, 80)),
        imagesWithoutAlt: Array.from(document.querySelectorAll('img'))
          .filter((i) => !i.alt.trim())
          .map((i) => i.outerHTML.slice(0, 60)),
        headersWithoutScope: document.querySelectorAll('th:not([scope])').length,
      }));
      const lowContrast = (await contrastFindings(page)).filter((f) => f.ratio < f.needed);
      const stops = await tabStops(page, 10);

      expect(structure).toEqual({ lang: 'en', h1: 1, unnamedControls: [], imagesWithoutAlt: [], headersWithoutScope: 0 });
      expect(lowContrast).toEqual([]);
      expect(stops.map((s) => s.name)).toEqual(['Download the PDF', 'Download the e-invoice (XML)']);
      for (const stop of stops) {
        expect(stop.outline).not.toMatch(/^none/);
        expect(stop.ringContrast).toBeGreaterThanOrEqual(3);
      }
    } finally {
      await close();
    }
  });
});

describe('the hosted invoice page in Chromium: a paid invoice', () => {
  it.each(Object.keys(VIEWPORTS) as ViewportName[])('says so with the payment date, at %s size, and offers no transfer or QR code', async (size) => {
    const ctx = await anInvoicePage(`Paid ${size} Co`);
    const partial = await ctx.api.post(`/v1/invoices/${ctx.invoice.id}/payments`, { amount: '6.00', date: todayUtc(), method: 'bank_transfer' });
    expect(partial.status).toBe(201);
    const { page, close } = await clientPage(size);
    try {
      await page.goto(ctx.page, { waitUntil: 'load' });
      expect(await visibleText(page)).toContain('Partially paid');
      expect(EpcQr.parseEpcQrPayload(await scanQr(page)).amount).toBe('100.00');

      await ctx.api.post(`/v1/invoices/${ctx.invoice.id}/payments`, { amount: '100.00', date: todayUtc(), method: 'bank_transfer' });
      await page.reload({ waitUntil: 'load' });
      const text = await visibleText(page);
      const paidOn = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date());

      expect(text).toContain('Thank you: this invoice is paid.');
      expect(text).toContain(`Paid on ${paidOn}.`);
      expect(await page.$eval('.badge', (b) => b.textContent)).toBe('Paid');
      expect(text).toMatch(/Balance due\s+€0\.00/);
      expect(text).not.toContain('Pay by bank transfer');
      expect(await page.$('figure.qr img')).toBeNull();
      expect(await page.$('a[href$="/pdf"]')).not.toBeNull();
    } finally {
      await close();
    }
  });
});

describe('the hosted invoice page in Chromium: the four languages', () => {
  const catalogues = { en, es, ru, ro } as const;
  it.each(Object.keys(catalogues) as (keyof typeof catalogues)[])('in %s: every word from the catalogue, the QR still the transfer', async (lang) => {
    const c = catalogues[lang];
    const ctx = await anInvoicePage(`Lang ${lang} Co`, lang);
    const { page, close } = await clientPage('phone');
    try {
      const res = await page.goto(ctx.page, { waitUntil: 'load' });
      const text = await visibleText(page);

      expect(res?.headers()['content-language']).toBe(lang);
      expect(await page.$eval('html', (h) => h.lang)).toBe(lang);
      expect(await page.$eval('h1', (h) => h.textContent)).toBe(`${c.document.invoice} ${ctx.invoice.number}`);
      expect(text).toContain(c.invoicePage.balanceDue);
      expect(text).toContain(c.invoicePage.status.open);
      expect(text).toContain(c.invoicePage.bankTransfer);
      expect(text).toContain(c.invoicePage.downloadPdf);
      expect(text).toContain(c.invoicePage.downloadXml);
      expect(text).not.toMatch(/invoicePage\.|document\.[a-z]/); // no key left untranslated
      expect(text).toMatch(/106[.,]00/);
      expect(EpcQr.parseEpcQrPayload(await scanQr(page))).toMatchObject({ amount: '106.00', remittance: ctx.invoice.number });
    } finally {
      await close();
    }
  });
});
