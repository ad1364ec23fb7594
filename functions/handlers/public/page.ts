/**
 * What every HTML page of the public links shares (links.ts, quote-page.ts): the token check, the security
 * headers, the base stylesheet, and the one "not available" answer.
 *
 * Pages are self-contained: inline CSS (and, on the quote page, one inline script), allowed only by a strict
 * Content-Security-Policy: a per-response nonce on the quote page, the stylesheet's hash on the message pages
 * (which are the same bytes every time, so that "not available" never differs by what exists). Nothing is
 * loaded from anywhere, nothing is cached, nothing may frame the page, no referrer leaves it, and no search
 * engine indexes it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { PublicLink, Texts, type PublicLinkRecord } from '../../domain/documents';
import { nowIso } from '../../domain/kernel';
import { BASE_CSS } from '../../../templates/public/styles';
import { config } from '../../shared/config';
import { RawResponse } from '../../shared/http/route';
import { documents } from '../../shared/wiring/documents';

export { BASE_CSS };

/** The link of a token when it is well formed, exists, and is neither revoked nor expired; else null. Exact: case matters. */
export async function usableLink(token: string): Promise<PublicLinkRecord | null> {
  if (!PublicLink.isWellFormedToken(token)) return null;
  const link = await documents().links.get(PublicLink.idOf(token));
  return PublicLink.usable(link, nowIso()) ? link : null;
}

/** The link of a staff preview id (PublicLink.previewUrl), on the same terms as the client's token. */
export async function previewableLink(id: string): Promise<PublicLinkRecord | null> {
  if (!PublicLink.isWellFormedId(id)) return null;
  const link = await documents().links.get(id);
  return PublicLink.usable(link, nowIso()) ? link : null;
}

/** Text and attribute values as HTML: nothing the client or the tenant typed becomes markup. */
export const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const baseUrl = () => config().PUBLIC_BASE_URL.replace(/\/$/, '');

/** The public URL of a link's page. */
export const pageUrl = (token: string) => `${baseUrl()}/p/${token}`;

/**
 * The headers of every page: no caching, no framing, no referrer, nothing but our own inline code (the CSP
 * sources that allow the page's `<style>` and `<script>`; without a script source, no script runs).
 */
function pageHeaders(sources: { style: string; script?: string; formTargets?: readonly string[] }): Record<string, string> {
  let formOrigin = '';
  try {
    formOrigin = ` ${new URL(baseUrl()).origin}`;
  } catch {
    /* not a URL: 'self' only */
  }
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': [
      "default-src 'none'",
      `style-src ${sources.style}`,
      ...(sources.script ? [`script-src ${sources.script}`] : []),
      "img-src 'self' data:",
      // a browser checks form-action on the redirect after a submit too: a form answered by a 303 elsewhere needs that origin
      `form-action 'self'${formOrigin}${(sources.formTargets ?? []).map((t) => ` ${t}`).join('')}`,
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-robots-tag': 'noindex, nofollow',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

/**
 * An HTML answer with the page headers; `render` gets the response's nonce for its inline `<style>` (and
 * `<script>`). `headers` adds to them (e.g. retry-after).
 */
export function htmlPage(status: number, render: (nonce: string) => string, headers: Record<string, string> = {}): RawResponse {
  const nonce = randomBytes(16).toString('base64');
  const source = `'nonce-${nonce}'`;
  return new RawResponse({ statusCode: status, headers: { ...pageHeaders({ style: source, script: source }), ...headers }, body: render(nonce) });
}

/** The CSP source of the message pages' stylesheet: its hash, so that their bytes never change. */
const BASE_CSS_SOURCE = `'sha256-${createHash('sha256').update(BASE_CSS).digest('base64')}'`;

/**
 * A page without script whose one `<style>` holds exactly `css`: the CSP allows that stylesheet by its hash and
 * no script at all (the invoice page).
 */
export function scriptlessPage(
  status: number,
  html: string,
  css: string,
  headers: Record<string, string> = {},
  options: { formTargets?: readonly string[] } = {},
): RawResponse {
  const style = `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
  return new RawResponse({ statusCode: status, headers: { ...pageHeaders({ style, formTargets: options.formTargets }), ...headers }, body: html });
}

/** A page that only says something: a title and a sentence; no script, and the same bytes for the same language. */
export function messagePage(status: number, title: string, text: string, headers: Record<string, string> = {}, lang = 'en'): RawResponse {
  return new RawResponse({
    statusCode: status,
    headers: { ...pageHeaders({ style: BASE_CSS_SOURCE }), 'content-language': lang, vary: 'Accept-Language', ...headers },
    body: `<!doctype html><html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex,nofollow"><title>${esc(title)}</title><style>${BASE_CSS}</style></head><body><main><div class="card"><h1>${esc(title)}</h1><p>${esc(text)}</p></div></main></body></html>`,
  });
}

/**
 * The language of a page that knows nothing of the client (an unknown link): the browser's first language we
 * speak (Accept-Language), else English. It depends on the request only, never on what exists.
 */
export function browserLanguage(acceptLanguage: string | undefined): string {
  for (const part of (acceptLanguage ?? '').split(',')) {
    const lang = part.split(';')[0]!.trim().slice(0, 2).toLowerCase();
    if (lang && Object.hasOwn(Texts.CATALOGUES, lang)) return lang;
  }
  return 'en';
}

/** Unknown, revoked and expired tokens all answer the same, with no hint of what exists (in the browser's language). */
export const notAvailable = (acceptLanguage?: string) => {
  const lang = browserLanguage(acceptLanguage);
  return messagePage(404, Texts.text(lang, 'linkPage.notAvailableTitle'), Texts.text(lang, 'linkPage.notAvailableText'), {}, lang);
};

/** A document still being rendered: reload in a few seconds (in the browser's language). */
export const almostReady = (acceptLanguage?: string) => {
  const lang = browserLanguage(acceptLanguage);
  return messagePage(503, Texts.text(lang, 'linkPage.almostReadyTitle'), Texts.text(lang, 'linkPage.almostReadyText'), { 'retry-after': '5' }, lang);
};
