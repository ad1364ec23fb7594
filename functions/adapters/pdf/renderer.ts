/**
 * HTML -> PDF with headless Chromium, in a sandbox that holds whatever Chromium's flags are.
 *
 * @sparticuz/chromium's default flags switch off web security and the OS sandbox, and on Lambda
 * `file:///proc/self/environ` holds the function's credentials. So a document (tenant-written HTML) is
 * contained by layers that do not depend on those flags:
 *   1. JavaScript is disabled for the page (`<script>`, handlers and `javascript:` URLs never run).
 *   2. Every request goes through interception: only URLs under ASSET_ORIGIN are answered, from memory;
 *      every other request, whatever its scheme, is aborted and recorded in `blocked`.
 *   3. A Content-Security-Policy meta is made the first element of the document, so what interception does
 *      not see (data:, blob:, file: subresources in some Chromium versions) is refused by the engine.
 *   4. The main frame must still be the document we wrote when the PDF is printed: a document that
 *      navigated itself away (meta refresh, ...) fails the render instead of printing something else.
 *   5. Chromium runs behind a proxy that does not exist (NETWORK_LOCKDOWN_ARGS), loopback included, so
 *      even a request that never reaches interception (a prefetch) cannot leave the browser.
 * Each render gets a fresh browser context (no cookies, cache or storage shared between tenants) and page,
 * both closed in `finally`, and a deadline. The browser is launched lazily, kept warm between renders and
 * relaunched when it has died.
 */
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type BrowserContext, type HTTPRequest, type Page } from 'puppeteer-core';
import { assetNameOf, type AssetMap } from './assets';
import { countPdfPages, sandboxDocument } from './sandbox';

export { CONTENT_SECURITY_POLICY, countPdfPages, sandboxDocument } from './sandbox';

export interface PdfRendererOptions {
  /** Chromium binary; default: the one shipped in @sparticuz/chromium (extracted to /tmp). */
  executablePath?: string;
  /**
   * Chromium flags; default: defaultChromiumArgs() (@sparticuz/chromium's without --single-process).
   * NETWORK_LOCKDOWN_ARGS are always added. The sandbox does not rely on any other flag.
   */
  args?: string[];
  /** Deadline of one render, in ms (default 30 000). */
  timeoutMs?: number;
  /** Assets served to every render (e.g. the built-in fonts); per-render assets take precedence. */
  assets?: AssetMap;
  /**
   * The policy put in the document's head (default CONTENT_SECURITY_POLICY). `false` leaves it out: only
   * for tests that prove the other layers hold on their own; never in production.
   */
  contentSecurityPolicy?: string | false;
}

export interface RenderOptions {
  /** Assets the document may load by URL under ASSET_ORIGIN (images, stylesheets, fonts), by name. */
  assets?: AssetMap;
  /** Puppeteer footerTemplate (elements of class pageNumber / totalPages are filled in); default: none. */
  footer?: string;
  /** Overrides the renderer's deadline for this render. */
  timeoutMs?: number;
}

export interface RenderResult {
  pdf: Buffer;
  /** Page count, read from the PDF. */
  pages?: number;
  /** URLs (truncated) of the requests refused during this render. */
  blocked: string[];
}

export interface PdfRenderer {
  render(html: string, options?: RenderOptions): Promise<RenderResult>;
  close(): Promise<void>;
  /** The warm browser, if one is running (for health checks and tests). */
  readonly browser: Browser | undefined;
}

export class RenderTimeoutError extends Error {
  constructor(ms: number) {
    super(`PDF render exceeded ${ms} ms`);
    this.name = 'RenderTimeoutError';
  }
}

export class SandboxViolationError extends Error {
  /** Requests refused during the render that failed. */
  blocked: string[] = [];
  constructor(message: string) {
    super(message);
    this.name = 'SandboxViolationError';
  }
}

/**
 * A footerTemplate that prints the label with `{page}` and `{pages}` replaced by Chromium's counters.
 * Chromium draws header and footer templates apart from the document and without its web fonts, so the
 * footer uses installed fonts (Open Sans ships with @sparticuz/chromium: Latin, Cyrillic, Greek).
 */
export function pageFooterTemplate(label: string, options: { fontFamily?: string } = {}): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  const body = escape(label).replace('{page}', '<span class="pageNumber"></span>').replace('{pages}', '<span class="totalPages"></span>');
  const family = options.fontFamily ?? "'Open Sans', 'Noto Sans', 'DejaVu Sans', sans-serif";
  return (
    `<div style="width:100%;margin:0 14mm;font-family:${escape(family)};font-size:8px;color:#666;` +
    `text-align:right;-webkit-print-color-adjust:exact;">${body}</div>`
  );
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Flags we add to whatever flags the renderer runs with: every network request that escapes interception
 * (the browser's own prefetches, for one, never reach it) goes to a proxy that does not exist, loopback
 * included (Chromium bypasses proxies for loopback unless told `<-loopback>`). Documents only ever get
 * bytes from memory, so nothing legitimate needs the network.
 */
export const NETWORK_LOCKDOWN_ARGS = ['--proxy-server=http://127.0.0.1:1', '--proxy-bypass-list=<-loopback>'];

/**
 * @sparticuz/chromium's flags without `--single-process`: a single-process Chromium supports one browser
 * context only (creating a second one kills the browser, Sparticuz/chromium#298) and crashes when a
 * navigation request is aborted (puppeteer/puppeteer#12195), while our sandbox needs a fresh context per
 * render and aborts navigations. Everything else, the insecure flags included, is kept: the sandbox does
 * not depend on them.
 */
export function defaultChromiumArgs(): string[] {
  return chromium.args.filter((arg) => arg !== '--single-process');
}

const PDF_MARGIN = { top: '14mm', right: '14mm', bottom: '18mm', left: '14mm' } as const;
const MAX_LOGGED_URL = 200;

function isConnectionError(error: unknown): boolean {
  const message = String((error as Error)?.message ?? error);
  return /Target closed|Session closed|Connection closed|Protocol error|browser has disconnected|detached|not open/i.test(message);
}

export function createPdfRenderer(options: PdfRendererOptions = {}): PdfRenderer {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let browser: Browser | undefined;
  let launching: Promise<Browser> | undefined;
  let closed = false;

  async function launch(): Promise<Browser> {
    const executablePath = options.executablePath ?? (await chromium.executablePath());
    const launched = await puppeteer.launch({
      executablePath,
      args: [...(options.args ?? defaultChromiumArgs()).filter((arg) => !/^--proxy-(server|bypass-list|pac-url)=/.test(arg)), ...NETWORK_LOCKDOWN_ARGS],
      headless: 'shell',
      // Pipes, not a DevTools port on localhost that another process could connect to.
      pipe: true,
      defaultViewport: null,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    launched.once('disconnected', () => {
      if (browser === launched) browser = undefined;
    });
    return launched;
  }

  async function getBrowser(): Promise<Browser> {
    if (closed) throw new Error('PDF renderer is closed');
    if (browser?.connected) return browser;
    if (browser) {
      // Dead but not yet forgotten (killed, crashed): make sure its process is gone.
      const dead = browser;
      browser = undefined;
      dead.process()?.kill('SIGKILL');
    }
    launching ??= launch()
      .then((launched) => {
        browser = launched;
        return launched;
      })
      .finally(() => {
        launching = undefined;
      });
    const launched = await launching;
    if (closed) {
      // close() ran while we were launching.
      await launched.close().catch(() => launched.process()?.kill('SIGKILL'));
      throw new Error('PDF renderer is closed');
    }
    return launched;
  }

  async function renderOnce(target: Browser, html: string, renderOptions: RenderOptions): Promise<RenderResult> {
    const deadline = renderOptions.timeoutMs ?? timeoutMs;
    const assets: AssetMap = { ...options.assets, ...renderOptions.assets };
    const blocked: string[] = [];
    let context: BrowserContext | undefined;
    let page: Page | undefined;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;

    const work = async (): Promise<RenderResult> => {
      context = await target.createBrowserContext();
      if (timedOut) throw new RenderTimeoutError(deadline);
      page = await context.newPage();
      if (timedOut) throw new RenderTimeoutError(deadline);
      page.setDefaultTimeout(deadline);
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on('request', (request: HTTPRequest) => {
        void handleRequest(request, assets, blocked);
      });
      let navigatedTo: string | undefined;
      const mainFrame = page.mainFrame();
      page.on('framenavigated', (frame) => {
        if (frame === mainFrame && frame.url() !== 'about:blank') navigatedTo ??= frame.url();
      });

      await page.setContent(sandboxDocument(html, options.contentSecurityPolicy), { waitUntil: 'load', timeout: deadline });
      assertStillOurs(page, navigatedTo);
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: renderOptions.footer !== undefined,
        headerTemplate: '<span></span>',
        footerTemplate: renderOptions.footer ?? '<span></span>',
        margin: PDF_MARGIN,
        timeout: deadline,
      });
      assertStillOurs(page, navigatedTo);
      const buffer = Buffer.from(pdf);
      return { pdf: buffer, pages: countPdfPages(buffer), blocked };
    };

    const cleanup = async () => {
      // `page` and `context` are assigned inside `work`; TypeScript cannot see that across the closure.
      await (page as Page | undefined)?.close().catch(() => undefined);
      await (context as BrowserContext | undefined)?.close().catch(() => undefined);
    };
    const deadlineReached = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new RenderTimeoutError(deadline));
      }, deadline);
    });
    const working = work();
    working.catch(() => undefined);
    try {
      return await Promise.race([working, deadlineReached]);
    } catch (error) {
      if (error instanceof SandboxViolationError) error.blocked = blocked;
      throw error;
    } finally {
      clearTimeout(timer);
      await cleanup();
      if (timedOut) {
        // Closing the context makes the pending steps fail fast; then close whatever they created late.
        await Promise.race([working.then(noop, noop), new Promise((resolve) => setTimeout(resolve, 5_000))]);
        await cleanup();
      }
    }
  }

  return {
    get browser() {
      return browser;
    },
    async render(html, renderOptions = {}) {
      const target = await getBrowser();
      try {
        return await renderOnce(target, html, renderOptions);
      } catch (error) {
        if (closed || error instanceof SandboxViolationError || error instanceof RenderTimeoutError) throw error;
        // The pipe may close a moment after the failing call returns.
        if (target.connected && isConnectionError(error)) await new Promise((r) => setTimeout(r, 200));
        if (target.connected) throw error;
        // The browser died under us (crash, kill, OOM): one more try on a fresh one.
        return renderOnce(await getBrowser(), html, renderOptions);
      }
    },
    async close() {
      closed = true;
      const current = browser ?? (launching ? await launching.catch(() => undefined) : undefined);
      browser = undefined;
      if (current) {
        await current.close().catch(() => {
          current.process()?.kill('SIGKILL');
        });
      }
    },
  };
}

function noop(): void {}

function assertStillOurs(page: Page, navigatedTo: string | undefined): void {
  const url = page.url();
  if (navigatedTo !== undefined || url !== 'about:blank') {
    throw new SandboxViolationError(`document navigated away (${(navigatedTo ?? url).slice(0, MAX_LOGGED_URL)}); refusing to print it`);
  }
}

async function handleRequest(request: HTTPRequest, assets: AssetMap, blocked: string[]): Promise<void> {
  if (request.isInterceptResolutionHandled()) return;
  const url = request.url();
  const name = assetNameOf(url);
  const asset = name !== null && request.method() === 'GET' ? assets[name] : undefined;
  try {
    if (asset && Object.prototype.hasOwnProperty.call(assets, name!)) {
      await request.respond({
        status: 200,
        contentType: asset.contentType,
        headers: { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' },
        body: Buffer.from(asset.body.buffer, asset.body.byteOffset, asset.body.byteLength),
      });
      return;
    }
    blocked.push(url.length > MAX_LOGGED_URL ? `${url.slice(0, MAX_LOGGED_URL)}…` : url);
    await request.abort('blockedbyclient');
  } catch {
    // The page went away while the request was pending: nothing to answer.
  }
}
