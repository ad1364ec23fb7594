/**
 * The renderer's browser and its pages, prepared ahead of need.
 *
 * A page is a fresh browser context (no cookies, cache or storage shared with anything) with one page in it,
 * set up for the sandbox once: JavaScript off, every request intercepted (answered from the assets of the
 * render using the page, refused otherwise and outside a render), its main frame watched for navigation.
 * Opening a context and a page costs several times a render, and so does the first print in a new page, so:
 *   - `prepared` pages are opened (and printed once, empty) in the background, before any render needs one;
 *     a page taken is replaced in the background;
 *   - after a successful render, the page is parked for its tenant: the next render of the SAME tenant may
 *     take it. A page is never used by two tenants; a render without a tenant uses a page once;
 *   - a page is retired after `maxRenders` renders, when more than `parked` pages are parked (oldest first),
 *     and after any failure. Pages are closed in the background, after the answer went back; a parked page
 *     collects its garbage every `collectEvery` renders, in the background too.
 * The browser is launched on first use and relaunched when it has died; the pages it held are forgotten.
 */
import type { Browser, BrowserContext, CDPSession, HTTPRequest, Page } from 'puppeteer-core';
import { assetNameOf, type AssetMap } from './assets';

const MAX_LOGGED_URL = 200;
const PRINT_OPTIONS = { format: 'A4', printBackground: true } as const;
/** Longest time to open (and warm up) a page before giving up on it. */
const OPEN_TIMEOUT_MS = 20_000;

/** The render a page is serving: the assets it may load and the requests it was refused. */
export interface PageJob {
  assets: AssetMap;
  blocked: string[];
}

export interface Slot {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** A DevTools session of the page's own, to collect its garbage between renders. */
  readonly cdp: CDPSession;
  /** The tenant whose documents this page has shown; it will never show another's. */
  tenant: string | undefined;
  renders: number;
  job: PageJob | undefined;
  /** Where the main frame went, if it navigated away from our document during the current render. */
  navigatedTo: string | undefined;
  /** The page's renderer crashed, or the page was closed. */
  dead: boolean;
  disposed: boolean;
}

export interface PagePoolOptions {
  launch(): Promise<Browser>;
  /** Pages kept ready ahead of need. */
  prepared: number;
  /** Pages kept after a render for the same tenant's next render, in all. */
  parked: number;
  /** Renders in one page before it is retired. */
  maxRenders: number;
  /**
   * A parked page collects its garbage every this many renders. With JavaScript off, Chromium hardly ever
   * collects on its own: every document printed stays in the page's heap (about 1 MB for one page of
   * invoice) until the renderer process reaches a few hundred MB. Collected in the background, between renders.
   */
  collectEvery: number;
  /**
   * What a prepared page prints once before any render, so that no render pays for the first print in a
   * page, nor for loading the assets every document uses (the immutable ones); undefined: nothing.
   */
  warmup(): (PageJob & { html: string }) | undefined;
}

export interface PoolStats {
  prepared: number;
  parked: number;
  /** Pages being opened or closed in the background. */
  background: number;
}

export class PagePool {
  private current: Browser | undefined;
  private launching: Promise<Browser> | undefined;
  private prepared: Slot[] = [];
  /** Least recently used first. */
  private parked: Slot[] = [];
  private readonly background = new Set<Promise<unknown>>();
  private refilling = false;
  private closed = false;

  constructor(private readonly options: PagePoolOptions) {}

  get browser(): Browser | undefined {
    return this.current;
  }

  stats(): PoolStats {
    return { prepared: this.prepared.length, parked: this.parked.length, background: this.background.size };
  }

  /** The running browser, launched (or relaunched, after it died) when there is none. */
  async getBrowser(): Promise<Browser> {
    if (this.closed) throw new Error('PDF renderer is closed');
    if (this.current?.connected) return this.current;
    if (this.current) this.forget(this.current);
    this.launching ??= this.options
      .launch()
      .then((launched) => {
        launched.once('disconnected', () => this.forget(launched));
        this.current = launched;
        return launched;
      })
      .finally(() => {
        this.launching = undefined;
      });
    const launched = await this.launching;
    if (this.closed) {
      // close() ran while we were launching.
      await launched.close().catch(() => launched.process()?.kill('SIGKILL'));
      throw new Error('PDF renderer is closed');
    }
    return launched;
  }

  /** A page of this browser for a render: the tenant's parked page, else a prepared one, else one opened now. */
  async acquire(browser: Browser, tenant: string | undefined): Promise<Slot> {
    let slot: Slot | undefined;
    if (tenant !== undefined) {
      const index = this.parked.findLastIndex((s) => s.tenant === tenant && this.usable(s));
      if (index >= 0) slot = this.parked.splice(index, 1)[0];
    }
    while (!slot && this.prepared.length > 0) {
      const candidate = this.prepared.shift()!;
      if (this.usable(candidate)) slot = candidate;
      else this.dispose(candidate);
    }
    this.refill();
    slot ??= await this.open(browser, undefined);
    slot.tenant ??= tenant;
    return slot;
  }

  /** After a render: parked for its tenant when it went well and may serve again, else closed. */
  release(slot: Slot, ok: boolean): void {
    slot.job = undefined;
    slot.navigatedTo = undefined;
    if (!ok || slot.tenant === undefined || slot.renders >= this.options.maxRenders || !this.usable(slot) || this.options.parked < 1) {
      this.dispose(slot);
      return;
    }
    this.parked.push(slot);
    while (this.parked.length > this.options.parked) this.dispose(this.parked.shift()!);
    if (slot.renders % this.options.collectEvery === 0) this.track(slot.cdp.send('HeapProfiler.collectGarbage'));
  }

  /** Closes a page and its context in the background. */
  dispose(slot: Slot): void {
    slot.job = undefined;
    if (slot.disposed) return;
    slot.disposed = true;
    this.track(
      within(OPEN_TIMEOUT_MS, async () => {
        await slot.page.close().catch(() => undefined);
        await slot.context.close().catch(() => undefined);
      }),
    );
  }

  /**
   * After a render ran out of time: if the browser itself no longer answers, it is hung, and every other render
   * on it would time out too: kill it, and the next render launches a fresh one. A browser that answers is left
   * alone (the slow render's page is already closed), unless `replace`: renders keep timing out on it.
   */
  checkHealth(browser: Browser, withinMs = 5_000, replace = false): void {
    this.track(
      (async () => {
        if (!browser.connected) return;
        if (replace) {
          this.forget(browser);
          browser.process()?.kill('SIGKILL');
          return;
        }
        let timer: NodeJS.Timeout | undefined;
        const answered = await Promise.race([
          browser.version().then(
            () => true,
            () => false,
          ),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), withinMs);
          }),
        ]);
        clearTimeout(timer);
        if (!answered && browser.connected) {
          this.forget(browser);
          browser.process()?.kill('SIGKILL');
        }
      })(),
    );
  }

  /** Launches the browser and prepares pages in the background, ahead of the first render. */
  prepare(): void {
    if (this.closed || this.current?.connected) return;
    this.track(this.getBrowser().then(() => this.refill()));
  }

  /** Resolves when nothing is being opened or closed in the background. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const browser = this.current ?? (this.launching ? await this.launching.catch(() => undefined) : undefined);
    this.current = undefined;
    this.prepared = [];
    this.parked = [];
    if (browser) await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
    await this.settled();
  }

  private usable(slot: Slot): boolean {
    return !slot.dead && !slot.disposed && slot.browser === this.current && slot.browser.connected && !this.closed;
  }

  /** A browser that died (or is being killed): its pages are gone with it. */
  private forget(browser: Browser): void {
    if (this.current === browser) this.current = undefined;
    this.prepared = this.prepared.filter((slot) => slot.browser !== browser);
    this.parked = this.parked.filter((slot) => slot.browser !== browser);
    if (browser.connected) return;
    // Dead but maybe not reaped (killed, crashed): make sure its process is gone.
    browser.process()?.kill('SIGKILL');
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  /** Keeps `prepared` pages ready, one at a time, in the background. */
  private refill(): void {
    if (this.refilling || this.closed || this.prepared.length >= this.options.prepared) return;
    this.refilling = true;
    this.track(
      (async () => {
        try {
          while (!this.closed && this.prepared.length < this.options.prepared) {
            const browser = await this.getBrowser();
            const slot = await this.open(browser, this.options.warmup());
            if (this.usable(slot)) this.prepared.push(slot);
            else this.dispose(slot);
          }
        } finally {
          this.refilling = false;
        }
      })(),
    );
  }

  /**
   * A new page, or a failure within OPEN_TIMEOUT_MS, or as soon as its browser disconnects: puppeteer's
   * newPage waits for the browser to announce the page, which a browser dying at that moment never does, and a
   * background task that never ends would hold `settled()` and `close()` for ever. A page that arrives too
   * late is closed.
   */
  private open(browser: Browser, warmup: (PageJob & { html: string }) | undefined): Promise<Slot> {
    const opening = this.openPage(browser, warmup);
    let timer: NodeJS.Timeout | undefined;
    let onDisconnect: (() => void) | undefined;
    let gaveUp = false;
    const givenUp = new Promise<never>((_, reject) => {
      const giveUp = (reason: string) => {
        gaveUp = true;
        reject(new Error(reason));
      };
      timer = setTimeout(() => giveUp(`opening a page took over ${OPEN_TIMEOUT_MS} ms`), OPEN_TIMEOUT_MS);
      onDisconnect = () => giveUp('the browser has disconnected while opening a page');
      if (!browser.connected) onDisconnect();
      else browser.once('disconnected', onDisconnect);
    });
    // A page that arrives after we gave up on it is closed (in the background, tracked like every close).
    opening.then(
      (slot) => {
        if (gaveUp) this.dispose(slot);
      },
      () => undefined,
    );
    return Promise.race([opening, givenUp]).finally(() => {
      clearTimeout(timer);
      if (onDisconnect) browser.off('disconnected', onDisconnect);
    });
  }

  private async openPage(browser: Browser, warmup: (PageJob & { html: string }) | undefined): Promise<Slot> {
    const context = await browser.createBrowserContext();
    try {
      const page = await context.newPage();
      const cdp = await page.createCDPSession();
      const slot: Slot = { browser, context, page, cdp, tenant: undefined, renders: 0, job: undefined, navigatedTo: undefined, dead: false, disposed: false };
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on('request', (request: HTTPRequest) => void answer(request, slot));
      const mainFrame = page.mainFrame();
      page.on('framenavigated', (frame) => {
        if (frame === mainFrame && frame.url() !== 'about:blank') slot.navigatedTo ??= frame.url();
      });
      page.once('error', () => {
        slot.dead = true;
      });
      page.once('close', () => {
        slot.dead = true;
      });
      if (warmup) {
        slot.job = { assets: warmup.assets, blocked: [] };
        await page.setContent(warmup.html, { waitUntil: 'load' });
        await page.pdf(PRINT_OPTIONS);
        slot.job = undefined;
      }
      return slot;
    } catch (error) {
      await context.close().catch(() => undefined);
      throw error;
    }
  }
}

/** The work, or a failure after `ms` (its result then ignored): no background task of the pool runs for ever. */
async function within(ms: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work(), new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(`took over ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Answers a request from the current render's assets, or refuses it (and records it). */
async function answer(request: HTTPRequest, slot: Slot): Promise<void> {
  if (request.isInterceptResolutionHandled()) return;
  const url = request.url();
  const job = slot.job;
  const name = assetNameOf(url);
  const asset = job && name !== null && request.method() === 'GET' && Object.hasOwn(job.assets, name) ? job.assets[name] : undefined;
  try {
    if (asset) {
      await request.respond({
        status: 200,
        contentType: asset.contentType,
        headers: { 'Access-Control-Allow-Origin': '*', 'Cache-Control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-store' },
        body: Buffer.from(asset.body.buffer, asset.body.byteOffset, asset.body.byteLength),
      });
      return;
    }
    job?.blocked.push(url.length > MAX_LOGGED_URL ? `${url.slice(0, MAX_LOGGED_URL)}…` : url);
    await request.abort('blockedbyclient');
  } catch {
    // The page went away while the request was pending: nothing to answer.
  }
}
