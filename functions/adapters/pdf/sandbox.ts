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
 * before the template's first element is parsed (a later `<html>`/`<head>` merges into ours).
 */
export function sandboxDocument(html: string, policy: string | false = CONTENT_SECURITY_POLICY): string {
  const body = html.replace(/^\uFEFF?\s*<!doctype[^>]*>/i, '');
  const csp = policy === false ? '' : `<meta http-equiv="Content-Security-Policy" content="${policy.replace(/"/g, '&quot;')}">`;
  return `<!DOCTYPE html><meta charset="utf-8">${csp}${body}`;
}

/** Counts page objects in a PDF written by Chromium (Skia writes no object streams). */
export function countPdfPages(pdf: Uint8Array): number | undefined {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const count = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return count > 0 ? count : undefined;
}
