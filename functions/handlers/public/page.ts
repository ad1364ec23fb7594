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
import { PublicLink, type PublicLinkRecord } from '../../domain/documents';
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
function pageHeaders(sources: { style: string; script?: string }): Record<string, string> {
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
      `form-action 'self'${formOrigin}`,
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

/** A page that only says something: a title and a sentence; no script, and the same bytes every time. */
export function messagePage(status: number, title: string, text: string, headers: Record<string, string> = {}): RawResponse {
  return new RawResponse({
    statusCode: status,
    headers: { ...pageHeaders({ style: BASE_CSS_SOURCE }), ...headers },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex,nofollow"><title>${esc(title)}</title><style>${BASE_CSS}</style></head><body><main><div class="card"><h1>${esc(title)}</h1><p>${esc(text)}</p></div></main></body></html>`,
  });
}

/** Unknown, revoked and expired tokens all answer the same, with no hint of what exists. */
export const notAvailable = () =>
  messagePage(404, 'Link not available', 'This link does not exist or is no longer available. Please ask the sender for a new one.');
