/**
 * /docs in a real headless Chromium (JavaScript on, as a newcomer's browser): the reference lists the operations by
 * resource and shows an operation's query parameters, its examples and the error catalogue, with every file served by
 * the API itself (no CDN: a request to anywhere else fails the test).
 */
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../fixtures/stack';

const stack = useLocalStack();
let browser: Browser;

beforeAll(async () => {
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || (await chromium.executablePath()),
    args: chromium.args.filter((arg) => arg !== '--single-process'),
    headless: 'shell',
    pipe: true,
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('/docs', () => {
  it('shows the operations by resource, the query parameters of a list, its examples and the error catalogue, from the API alone', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    const failed: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(stack().apiUrl) && !request.url().startsWith('data:')) foreign.push(request.url());
    });
    page.on('requestfailed', (request) => failed.push(request.url()));
    page.on('pageerror', (error) => failed.push(String(error)));

    const res = await page.goto(`${stack().apiUrl}/docs#/Invoices/getV1Invoices`, { waitUntil: 'domcontentloaded', timeout: 60_000 }); // the selectors below wait for the rendering
    expect(res?.status()).toBe(200);
    await page.waitForSelector('.opblock-tag', { timeout: 60_000 });

    const tags = await page.$$eval('.opblock-tag', (nodes) => nodes.map((n) => n.getAttribute('data-tag')));
    expect(tags).toEqual(expect.arrayContaining(['Companies', 'Invoices', 'Quotes', 'Public links']));
    // the deep link opened GET /v1/invoices: its query parameters are shown
    await page.waitForSelector('#operations-Invoices-getV1Invoices .parameters', { timeout: 30_000 });
    const parameters = await page.$$eval('#operations-Invoices-getV1Invoices .parameter__name', (nodes) =>
      nodes.map((n) => n.textContent?.replace(/\W+$/, '').trim()),
    );
    expect(parameters).toEqual(expect.arrayContaining(['stage', 'clientId', 'q', 'sort', 'issueDateFrom', 'limit', 'cursor']));
    const description = await page.$eval('.information-container', (n) => n.textContent ?? '');
    expect(description).toContain('Error catalogue');
    expect(description).toContain('amounts are decimal strings');

    expect(foreign).toEqual([]);
    expect(failed).toEqual([]);
    await page.close();
  }, 240_000);

  it('serves the viewer files with their types', async () => {
    const js = await fetch(`${stack().apiUrl}/docs/swagger-ui.js`);
    const css = await fetch(`${stack().apiUrl}/docs/swagger-ui.css`);
    expect([js.status, css.status]).toEqual([200, 200]);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await js.text()).length).toBeGreaterThan(500_000);
  });
});
