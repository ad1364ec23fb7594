/**
 * HTML -> PDF with headless Chromium, in a sandbox that holds whatever Chromium's flags are.
 *
 * @sparticuz/chromium's default flags switch off web security and the OS sandbox, and on Lambda
 * `file:///proc/self/environ` holds the function's credentials. So a document (tenant-written HTML) is
 * contained by layers that do not depend on those flags:
 *   1. JavaScript is disabled for the page (`<script>`, handlers and `javascript:` URLs never run).
 *   2. Every request goes through interception: only URLs under ASSET_ORIGIN are answered, from the memory
 *      of the render using the page; every other request, whatever its scheme, and any request outside a
 *      render, is aborted and recorded in `blocked`.
 *   3. A Content-Security-Policy meta is made the first element of the document, so what interception does
 *      not see (data:, blob:, file: subresources in some Chromium versions) is refused by the engine.
 *   4. The main frame must still be the document we wrote when the PDF is printed: a document that
 *      navigated itself away, or asks to (meta refresh), fails the render instead of printing something else.
 *   5. Chromium runs behind a proxy that does not exist (NETWORK_LOCKDOWN_ARGS), loopback included, so
 *      even a request that never reaches interception (a prefetch) cannot leave the browser.
 * Pages come from a pool (page-pool.ts): each is its own browser context, prepared ahead, and reused only
 * for later renders of the same tenant (never across tenants: no cookies, cache or storage shared).
 * Renders wait in a queue for one of `concurrency` places; the deadline runs from the moment a render has
 * its place, not while it waits. A render that fails (deadline, sandbox, limits) loses its page, never the
 * browser under the other renders; a browser that died is relaunched and the render tried once more on it.
 * The PDF is bounded: at most `maxPages` pages are printed and at most `maxBytes` read.
 */
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';
import { assetUrl, type AssetMap } from './assets';
import { Gate } from './gate';
import { BrowserCrashedError, PdfLimitError, RenderTimeoutError, SandboxViolationError } from './render-errors';
import { PagePool, type PoolStats, type Slot } from './page-pool';
import { countPdfPages, pageNumberStyle, sandboxDocument } from './sandbox';

export { CONTENT_SECURITY_POLICY, countPdfPages, pageFooterTemplate, pageNumberStyle, sandboxDocument } from './sandbox';
export type { PoolStats } from './page-pool';
export { BrowserCrashedError, PdfLimitError, RenderTimeoutError, SandboxViolationError } from './render-errors';

export interface PdfRendererOptions {
  /** Chromium binary; default: the one shipped in @sparticuz/chromium (extracted to /tmp). */
  executablePath?: string;
  /**
   * Chromium flags; default: defaultChromiumArgs() (@sparticuz/chromium's without --single-process and
   * --no-zygote, with --disable-gpu). NETWORK_LOCKDOWN_ARGS are always added. The sandbox does not rely on any other flag.
   */
  args?: string[];
  /** Deadline of one render, in ms, from the moment it leaves the queue (default 30 000). */
  timeoutMs?: number;
  /**
   * Assets served to every render, the same for every tenant (e.g. the built-in fonts); per-render assets
   * take precedence. Like `sharedAssets`, the immutable ones are loaded ahead in prepared pages.
   */
  assets?: AssetMap;
  /**
   * The policy put in the document's head (default CONTENT_SECURITY_POLICY). `false` leaves it out: only
   * for tests that prove the other layers hold on their own; never in production.
   */
  contentSecurityPolicy?: string | false;
  /** Renders at once; the others wait their turn (default 2). */
  concurrency?: number;
  /** Pages prepared ahead of need (default: `concurrency`). */
  preparedPages?: number;
  /** Pages kept for their tenant's next render, in all (default 4; 0: a page serves one render). */
  parkedPages?: number;
  /** Renders in one page before it is replaced (default 200). */
  maxRendersPerPage?: number;
  /** Pages a PDF may have (default PDF_LIMITS.maxPages). */
  maxPages?: number;
  /** Bytes a PDF may have (default PDF_LIMITS.maxBytes). */
  maxBytes?: number;
  /**
   * Tagged (accessible) PDF: a structure tree for screen readers. Chromium builds it from the accessibility
   * tree, which doubles the cost of printing (measured: a 7-page invoice 410 -> 210 ms). Default false.
   */
  tagged?: boolean;
}

/** Bounds of one PDF: a 500-line invoice with every text at its longest prints on about 120 pages. */
export const PDF_LIMITS = { maxPages: 300, maxBytes: 10 * 1024 * 1024 } as const;

export interface RenderOptions {
  /** Assets the document may load by URL under ASSET_ORIGIN (images, stylesheets, fonts), by name. */
  assets?: AssetMap;
  /**
   * Assets that are the same for every tenant (the built-in fonts and stylesheet), served like `assets`
   * (which win on a common name). The renderer remembers the immutable ones and loads them in pages it
   * prepares ahead, before the page has a tenant: nothing of a tenant's own may ever be passed here.
   */
  sharedAssets?: AssetMap;
  /**
   * Page numbers in the bottom-right margin of every page: a label with `{page}` and `{pages}` ("Page {page}
   * of {pages}"), drawn by the document's layout in its fonts (pageNumberStyle). Default: none.
   */
  pageNumbers?: string;
  /**
   * Puppeteer footerTemplate (elements of class pageNumber / totalPages are filled in); default: none.
   * Chromium lays it out as a separate document for every page: `pageNumbers` costs far less.
   */
  footer?: string;
  /** Overrides the renderer's deadline for this render. */
  timeoutMs?: number;
  /**
   * Whose document this is: its page may serve later renders of the same tenant, and no one else's.
   * Without it, the page serves this render only.
   */
  tenant?: string;
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
  /** Pages ready, parked and in flux (for tests and the benchmark). */
  stats(): PoolStats & { rendering: number; queued: number };
  /** Resolves when no page is being opened or closed in the background. */
  settled(): Promise<void>;
  /** Starts the browser (and prepares pages) in the background, e.g. while the template renders. */
  prepare(): void;
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
 * @sparticuz/chromium's flags without `--single-process` and `--no-zygote`. A single-process Chromium
 * supports one browser context only (creating a second one kills the browser, Sparticuz/chromium#298) and
 * crashes when a navigation request is aborted (puppeteer/puppeteer#12195), while our sandbox needs a
 * context per tenant and aborts navigations. Without the zygote, every new page starts its renderer
 * process from scratch (a third of a render's time, measured); with it, renderers fork from a warm one.
 * Everything else, the insecure flags included, is kept (plus NO_GPU_ARGS): the sandbox does not depend on them.
 */
export function defaultChromiumArgs(): string[] {
  return [...chromium.args.filter((arg) => arg !== '--single-process' && arg !== '--no-zygote'), ...NO_GPU_ARGS];
}

/**
 * No GPU process: @sparticuz/chromium's flags put SwiftShader (a GL emulated on the CPU) in the browser
 * process (`--in-process-gpu`), where every page's compositor frames go through one thread. A PDF is drawn
 * by Skia's PDF backend and needs no GL at all; without it, two renders at a time no longer wait for each
 * other (measured, same machine and load: 2 at a time 24 -> 45 renders/s, one at a time 21 -> 15 ms).
 */
export const NO_GPU_ARGS = ['--disable-gpu'];

const PDF_MARGIN = { top: '14mm', right: '14mm', bottom: '18mm', left: '14mm' } as const;
const MAX_LOGGED_URL = 200;
const MAX_COMMON_ASSETS = 64;

function isConnectionError(error: unknown): boolean {
  const message = String((error as Error)?.message ?? error);
  return /Target closed|Session closed|Connection closed|Protocol error|browser has disconnected|detached|not open|crashed/i.test(message);
}

export function createPdfRenderer(options: PdfRendererOptions = {}): PdfRenderer {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const maxPages = options.maxPages ?? PDF_LIMITS.maxPages;
  const maxBytes = options.maxBytes ?? PDF_LIMITS.maxBytes;
  const gate = new Gate(concurrency);
  let closed = false;
  /** Renders that ran out of time in a row: two mean the browser is replaced, answering or not. */
  let consecutiveTimeouts = 0;
  /** The immutable assets shared by every tenant (the built-in fonts and stylesheet): prepared pages load them ahead. */
  const common: AssetMap = {};

  function learn(assets: AssetMap | undefined): void {
    for (const [name, asset] of Object.entries(assets ?? {})) {
      if (asset.immutable && !Object.hasOwn(common, name) && Object.keys(common).length < MAX_COMMON_ASSETS) common[name] = asset;
    }
  }

  learn(options.assets);

  /** A document that loads every common asset (stylesheets applied, fonts preloaded) and prints a blank page. */
  function warmup() {
    const links = Object.entries(common).map(([name, asset]) => {
      const href = assetUrl(name).replace(/"/g, '&quot;');
      if (asset.contentType.startsWith('text/css')) return `<link rel="stylesheet" href="${href}">`;
      if (asset.contentType.startsWith('font/')) return `<link rel="preload" as="font" type="${asset.contentType}" crossorigin href="${href}">`;
      return '';
    });
    return { html: sandboxDocument(`${links.join('')}<p>&nbsp;</p>`, options.contentSecurityPolicy), assets: common, blocked: [] };
  }

  const pool = new PagePool({
    prepared: options.preparedPages ?? concurrency,
    parked: options.parkedPages ?? 4,
    maxRenders: options.maxRendersPerPage ?? 200,
    collectEvery: 20,
    warmup,
    launch: async () =>
      puppeteer.launch({
        executablePath: options.executablePath ?? (await chromium.executablePath()),
        args: [...(options.args ?? defaultChromiumArgs()).filter((arg) => !/^--proxy-(server|bypass-list|pac-url)=/.test(arg)), ...NETWORK_LOCKDOWN_ARGS],
        headless: 'shell',
        // Pipes, not a DevTools port on localhost that another process could connect to.
        pipe: true,
        defaultViewport: null,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      }),
  });

  /** The steps of one render in its page. */
  async function print(slot: Slot, html: string, renderOptions: RenderOptions, deadline: number, isLate: () => boolean): Promise<RenderResult> {
    const page = slot.page;
    const blocked = slot.job!.blocked;
    page.setDefaultTimeout(deadline);
    const head = renderOptions.pageNumbers !== undefined ? pageNumberStyle(renderOptions.pageNumbers) : '';
    await page.setContent(sandboxDocument(html, options.contentSecurityPolicy, head), { waitUntil: 'load', timeout: deadline });
    assertStillOurs(slot);
    // A refresh would navigate away at a moment of its choosing: refused whether or not it fired yet. A
    // navigation under the query itself destroys the document it asks (the errors vary): refused as well,
    // unless the browser or the page died.
    const refresh = await page.$('meta[http-equiv="refresh" i]').then(
      (found) => (found ? 'asks' : undefined),
      async (error: unknown) => {
        if (slot.dead || (await died(slot.browser, error))) throw error;
        return 'navigated';
      },
    );
    if (refresh === 'navigated') {
      throw new SandboxViolationError(`document navigated away (${(slot.navigatedTo ?? page.url()).slice(0, MAX_LOGGED_URL)}); refusing to print it`);
    }
    if (refresh === 'asks') {
      throw new SandboxViolationError('the document asks to navigate away (<meta http-equiv="refresh">); refusing to print it');
    }
    if (isLate()) throw new RenderTimeoutError(deadline);
    const stream = await page.createPDFStream({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: renderOptions.footer !== undefined,
      headerTemplate: '<span></span>',
      footerTemplate: renderOptions.footer ?? '<span></span>',
      margin: PDF_MARGIN,
      // One page more than allowed, to know that there are more, without printing them all.
      pageRanges: `1-${maxPages + 1}`,
      tagged: options.tagged ?? false,
      timeout: deadline,
    });
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) throw new PdfLimitError('bytes', `the PDF is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
        chunks.push(value);
      }
    } finally {
      reader.releaseLock();
      if (size > maxBytes) await stream.cancel().catch(() => undefined);
    }
    assertStillOurs(slot);
    const pdf = Buffer.concat(chunks);
    const pages = countPdfPages(pdf);
    if (pages !== undefined && pages > maxPages) throw new PdfLimitError('pages', `the PDF has more than ${maxPages} pages`);
    return { pdf, pages, blocked };
  }

  /** One attempt: a page, the deadline, the page back to its tenant (or closed) once the answer is out. */
  async function renderOnce(html: string, renderOptions: RenderOptions): Promise<RenderResult> {
    const deadline = renderOptions.timeoutMs ?? timeoutMs;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let slot: Slot | undefined;
    let browser: Browser | undefined;
    const deadlineReached = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        // Closing the page makes its pending steps fail fast.
        if (slot) pool.dispose(slot);
        reject(new RenderTimeoutError(deadline));
      }, deadline);
    });
    const assets = { ...options.assets, ...renderOptions.sharedAssets, ...renderOptions.assets };
    learn(renderOptions.sharedAssets);
    const working = (async () => {
      browser = await pool.getBrowser();
      slot = await pool.acquire(browser, renderOptions.tenant);
      if (timedOut) throw new RenderTimeoutError(deadline);
      slot.renders++;
      slot.job = { assets, blocked: [] };
      slot.navigatedTo = undefined;
      return print(slot, html, renderOptions, Math.max(1, deadline - (Date.now() - started)), () => timedOut);
    })();
    // A page that arrives after the deadline is closed as soon as it does.
    const lateCleanup = () => {
      if (timedOut && slot) pool.dispose(slot);
    };
    working.then(lateCleanup, lateCleanup);
    try {
      const result = await Promise.race([working, deadlineReached]);
      consecutiveTimeouts = 0;
      pool.release(slot!, true);
      return result;
    } catch (error) {
      const used = slot as Slot | undefined;
      if (error instanceof SandboxViolationError) error.blocked = used?.job?.blocked ?? error.blocked;
      if (timedOut) {
        // Also when no page was had yet (opening one hung): the browser is checked, and replaced when renders
        // keep timing out on it even though it still answers (its pages no longer do).
        consecutiveTimeouts++;
        const suspect = used?.browser ?? (browser as Browser | undefined);
        if (suspect) pool.checkHealth(suspect, 5_000, consecutiveTimeouts >= 2);
        throw error;
      }
      if (used) pool.release(used, false);
      const target = used?.browser ?? (browser as Browser | undefined);
      if (target && !(error instanceof SandboxViolationError || error instanceof PdfLimitError) && (await died(target, error))) {
        throw new BrowserCrashedError(error);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    get browser() {
      return pool.browser;
    },
    stats() {
      return { ...pool.stats(), rendering: gate.running, queued: gate.queued };
    },
    settled() {
      return pool.settled();
    },
    prepare() {
      if (!closed) pool.prepare();
    },
    async render(html, renderOptions = {}) {
      if (closed) throw new Error('PDF renderer is closed');
      const leave = await gate.enter();
      try {
        if (closed) throw new Error('PDF renderer is closed');
        try {
          return await renderOnce(html, renderOptions);
        } catch (error) {
          // The browser died under us (crash, kill, OOM): one more try on a fresh one.
          if (closed || !(error instanceof BrowserCrashedError)) throw error;
          return await renderOnce(html, renderOptions);
        }
      } finally {
        leave();
      }
    },
    async close() {
      closed = true;
      await pool.close();
    },
  };
}

/** Whether the browser is gone (the pipe may close a moment after the failing call returned). */
async function died(browser: Browser, error: unknown): Promise<boolean> {
  if (browser.connected && isConnectionError(error)) await new Promise((resolve) => setTimeout(resolve, 200));
  return !browser.connected;
}

function assertStillOurs(slot: Slot): void {
  const url = slot.page.url();
  if (slot.navigatedTo !== undefined || url !== 'about:blank') {
    throw new SandboxViolationError(`document navigated away (${(slot.navigatedTo ?? url).slice(0, MAX_LOGGED_URL)}); refusing to print it`);
  }
}
