/**
 * The parts of the renderer's sandbox that need no browser: the Content-Security-Policy every document
 * carries and the way it is put in front of the template's HTML; and reading a page count from a PDF.
 */
import { ASSET_ORIGIN } from './assets';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'unsafe-inline' ${ASSET_ORIGIN}`,
  `font-src ${ASSET_ORIGIN}`,
  `img-src ${ASSET_ORIGIN}`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The document as we hand it to Chromium: our doctype and CSP meta first, so the policy is in force
 * before the template's first element is parsed (a later `<html>`/`<head>` merges into ours), then our own
 * head elements (`head`: the page-number style), then the template's HTML.
 */
export function sandboxDocument(html: string, policy: string | false = CONTENT_SECURITY_POLICY, head = ''): string {
  const body = html.replace(/^\uFEFF?\s*<!doctype[^>]*>/i, '');
  const csp = policy === false ? '' : `<meta http-equiv="Content-Security-Policy" content="${policy.replace(/"/g, '&quot;')}">`;
  return `<!DOCTYPE html><meta charset="utf-8">${csp}${head}${body}`;
}

/** A CSS string literal of any text (every character but letters, digits and spaces escaped). */
function cssString(text: string): string {
  return `"${[...text].map((c) => (/^[\p{L}\p{N} ]$/u.test(c) ? c : `\\${c.codePointAt(0)!.toString(16)} `)).join('')}"`;
}

/**
 * Page numbers drawn by the document's own layout, in the bottom-right margin box of every page (CSS paged
 * media, Chromium 131+): the label with `{page}` and `{pages}` replaced by the counters, in the document's
 * fonts. Cheaper than Chromium's footerTemplate, which lays out a separate document for every page. Comes
 * before the template's HTML, so a template's own `@page` rules win.
 */
export function pageNumberStyle(label: string): string {
  const content = label
    .split(/(\{page\}|\{pages\})/)
    .filter(Boolean)
    .map((part) => (part === '{page}' ? 'counter(page)' : part === '{pages}' ? 'counter(pages)' : cssString(part)))
    .join(' ');
  return (
    `<style>@page { @bottom-right { content: ${content}; font-family: 'Noto Sans', 'Open Sans', 'DejaVu Sans', sans-serif;` +
    ' font-size: 8px; font-weight: 400; color: #666; } }</style>'
  );
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

/** Counts page objects in a PDF written by Chromium (Skia writes no object streams). */
export function countPdfPages(pdf: Uint8Array): number | undefined {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const count = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return count > 0 ? count : undefined;
}
