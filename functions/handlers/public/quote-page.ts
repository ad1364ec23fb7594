/**
 * The client's page of a quote (GET /p/{token} of a quote's link) and its acceptance
 * (POST /p/{token}/accept). No API key: the link's token is the credential.
 *
 * The page is plain server-rendered HTML with inline CSS and one small inline script (page.ts: allowed by a
 * per-response nonce in a strict Content-Security-Policy; nothing is loaded from anywhere). The accept form
 * works without JavaScript: the typed full name is then the signature. With JavaScript, a canvas lets the
 * client draw a signature too, which the script puts in a hidden field as a PNG data URL.
 *
 * links.ts serves GET /p/{token} and hands a quote's link to renderQuotePage; it also serves these routes.
 */
import { z } from 'zod';
import { today } from '../../domain/sales/pipeline-settings';
import { quoteDocumentModel } from '../../domain/documents/print-mapping';
import type { DocumentModel } from '../../domain/documents/print-model';
import type { DocumentRecord, PublicLink } from '../../domain/documents/document';
import { Conflict, NotFound, RuleViolation, type FieldError } from '../../domain/kernel/errors';
import { formatDate, formatMoney, formatNumber, formatPercent, intlLocale } from '../../domain/documents/locale-format';
import { acceptQuote, MAX_SIGNATURE_BYTES, shownDocumentAmong, SIGNER_NAME_MAX, type AcceptancePorts } from '../../domain/sales/quote-acceptance';
import { effectiveStatus, type Quote, type QuoteStatus } from '../../domain/sales/quote';
import { RawResponse, route, type RequestContext } from '../../shared/http/route';
import { logger } from '../../shared/logger';
import { crm, delivery, storage, tenants } from '../../shared/wiring/core';
import { BASE_CSS, esc, htmlPage, notAvailable, pageUrl, usableLink } from './page';

const PDF_LINK_TTL_SECONDS = 3600;

const acceptancePorts = (): AcceptancePorts => ({
  quotes: crm().quotes,
  documents: delivery().documents,
  storage: storage(),
  commitAcceptance: crm().commitAcceptance,
});

// ---------------------------------------------------------------------------------------------------
// HTML

/** The quote page's stylesheet: page.ts's BASE_CSS, then its own rules. */
const CSS = `${BASE_CSS}
header.top{display:flex;flex-wrap:wrap;gap:12px;justify-content:space-between;align-items:flex-start}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:.85rem;font-weight:600;border:1px solid currentColor}
.badge.sent{color:var(--brand)}.badge.accepted{color:var(--ok)}.badge.expired{color:var(--warn)}.badge.declined{color:var(--bad)}
.parties{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.parties h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin-bottom:4px}
.parties p{margin:0}
dl.meta{display:grid;grid-template-columns:auto auto;gap:2px 12px;margin:0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
table{width:100%;border-collapse:collapse}
th,td{padding:8px 6px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);text-align:left}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.totals{margin-left:auto;max-width:340px}
.totals div{display:flex;justify-content:space-between;gap:16px;padding:4px 0;font-variant-numeric:tabular-nums}
.totals .grand{border-top:2px solid var(--ink);margin-top:4px;padding-top:8px;font-size:1.2rem;font-weight:700}
a.button,button{display:inline-block;font:inherit;font-weight:600;border-radius:8px;padding:12px 18px;border:1px solid var(--brand);cursor:pointer;text-decoration:none}
a.button{background:#fff;color:var(--brand)}
button.primary{background:var(--brand);color:#fff;width:100%;font-size:1.05rem}
button.link{background:none;border:none;color:var(--brand);padding:4px 0;font-weight:500}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=text]{width:100%;font:inherit;padding:12px;border:1px solid #9ca3af;border-radius:8px}
input[type=text]:focus,canvas:focus{outline:3px solid #93c5fd;outline-offset:1px}
.check{display:flex;gap:10px;align-items:flex-start;font-weight:400;margin:16px 0}
.check input{width:22px;height:22px;margin:2px 0 0;flex:none}
canvas{display:block;width:100%;height:auto;aspect-ratio:3/1;border:1px dashed #9ca3af;border-radius:8px;background:#fff;touch-action:none}
.row{display:flex;justify-content:space-between;align-items:center;gap:8px}
.notice{border-radius:12px;padding:16px 20px;margin:0 0 16px;border:1px solid}
.notice.ok{background:#ecfdf5;border-color:#a7f3d0;color:#065f46}
.notice.warn{background:#fffbeb;border-color:#fde68a;color:#92400e}
.notice.bad{background:#fef2f2;border-color:#fecaca;color:#991b1b}
.notice h2{margin:0 0 4px}.notice p{margin:0}
.errors{margin:0 0 8px;padding-left:20px;color:var(--bad)}
.field-error{color:var(--bad);font-size:.9rem;margin:4px 0 0}
@media (max-width:640px){
 .parties{grid-template-columns:1fr}
 table.lines thead{display:none}
 table.lines tr{display:block;border-bottom:1px solid var(--line);padding:8px 0}
 table.lines td{display:flex;justify-content:space-between;gap:12px;border:none;padding:2px 0;text-align:right}
 table.lines td::before{content:attr(data-label);color:var(--muted);text-align:left}
 table.lines td.desc{display:block;text-align:left;font-weight:600}
 table.lines td.desc::before{content:none}
 table.lines td.empty{display:none}
 .totals{max-width:none}
}
@media print{#accept,.pdf{display:none}}
`;

/** Draws on the canvas with mouse, pen or finger; the drawing goes into the hidden field as a PNG data URL. */
const SCRIPT = `
(function () {
  var form = document.getElementById('accept');
  var box = document.getElementById('sigbox');
  var pad = document.getElementById('pad');
  var field = document.getElementById('signature');
  if (!form || !box || !pad || !field || !pad.getContext) return;
  box.hidden = false;
  var ctx = pad.getContext('2d');
  var drawing = false, drawn = false, last = null;
  function pen() { ctx.lineWidth = 3; ctx.lineCap = 'round'; ctx.lineJoin = 'round'; ctx.strokeStyle = '#111827'; }
  pen();
  function at(e) {
    var r = pad.getBoundingClientRect();
    return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
  }
  function save() { field.value = drawn ? pad.toDataURL('image/png') : ''; }
  pad.addEventListener('pointerdown', function (e) {
    e.preventDefault();
    drawing = true; last = at(e);
    if (pad.setPointerCapture) pad.setPointerCapture(e.pointerId);
    ctx.beginPath(); ctx.arc(last.x, last.y, 1.5, 0, 2 * Math.PI); ctx.fillStyle = '#111827'; ctx.fill();
    drawn = true;
  });
  pad.addEventListener('pointermove', function (e) {
    if (!drawing) return;
    e.preventDefault();
    var p = at(e);
    ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
    last = p; drawn = true;
  });
  function end() { if (drawing) { drawing = false; save(); } }
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  document.getElementById('clear').addEventListener('click', function () {
    ctx.clearRect(0, 0, pad.width, pad.height); pen(); drawn = false; save();
  });
  form.addEventListener('submit', function () { save(); });
})();
`;

interface PageState {
  quote: Quote;
  model: DocumentModel;
  status: QuoteStatus;
  token: string;
  document: DocumentRecord | null;
  pdfUrl: string | null;
  /** No document is ready yet, but one is being rendered. */
  pdfPending?: boolean;
  /** After a refused form post: the problems and what the client typed. */
  errors?: FieldError[];
  signerName?: string;
  /** A message above the page (e.g. why the acceptance was refused). */
  notice?: string;
}

function addressLines(a: DocumentModel['seller']['address']): string[] {
  if (!a) return [];
  return [a.line1, a.line2, [a.postalCode, a.city].filter(Boolean).join(' '), [a.region, a.country].filter(Boolean).join(', ')]
    .filter((l): l is string => Boolean(l && l.trim()));
}

function party(title: string, p: { name: string; legalName?: string | null; taxId?: string | null; address?: DocumentModel['seller']['address']; email?: string | null; phone?: string | null }, extra: string[] = []): string {
  const lines = [
    p.legalName && p.legalName !== p.name ? p.legalName : null,
    ...extra,
    p.taxId ? `Tax ID ${p.taxId}` : null,
    ...addressLines(p.address ?? null),
    p.email,
    p.phone,
  ].filter((l): l is string => Boolean(l));
  return `<section><h2>${esc(title)}</h2><p><strong>${esc(p.name)}</strong></p>${lines.map((l) => `<p>${esc(l)}</p>`).join('')}</section>`;
}

const STATUS_LABEL: Record<QuoteStatus, string> = { draft: 'Draft', sent: 'Awaiting your acceptance', accepted: 'Accepted', expired: 'Expired', declined: 'Declined' };

function stateNotice(s: PageState, locale: string): string {
  const seller = s.model.seller.name;
  const { quote } = s;
  switch (s.status) {
    case 'accepted': {
      const a = quote.acceptance;
      const when = a?.signedAt ?? quote.acceptedAt;
      return `<div class="notice ok" role="status"><h2>Accepted — thank you</h2><p>This quote was accepted${a ? ` by <strong>${esc(a.signerName)}</strong>` : ''}${when ? ` on ${esc(formatDate(when, locale))}` : ''}. ${esc(seller)} has been notified and will be in touch.</p></div>`;
    }
    case 'expired':
      return `<div class="notice warn" role="status"><h2>This quote has expired</h2><p>It was valid until ${esc(formatDate(quote.validUntil, locale))} and can no longer be accepted. Please contact ${esc(seller)} for an updated quote.</p></div>`;
    case 'declined':
      return `<div class="notice bad" role="status"><h2>This quote was declined</h2><p>It can no longer be accepted. Please contact ${esc(seller)} if you would like a new one.</p></div>`;
    case 'draft':
      return `<div class="notice warn" role="status"><h2>Not available yet</h2><p>This quote has not been issued.</p></div>`;
    default:
      return '';
  }
}

function acceptForm(s: PageState): string {
  const errorOf = (field: string) => s.errors?.find((e) => e.field === field)?.message;
  const nameError = errorOf('signerName');
  const consentError = errorOf('consent');
  const signatureError = errorOf('signature');
  const total = formatMoney(s.model.totals.total, s.model.currency, intlLocale(s.model.locale));
  return `<section class="card" aria-labelledby="accept-title">
<h2 id="accept-title">Accept this quote</h2>
${s.errors?.length ? `<ul class="errors" role="alert">${s.errors.map((e) => `<li>${esc(e.message)}</li>`).join('')}</ul>` : ''}
<form id="accept" method="post" action="${esc(`${pageUrl(s.token)}/accept`)}" accept-charset="utf-8">
<input type="hidden" name="documentId" value="${esc(s.document?.id ?? '')}">
<input type="hidden" name="signature" id="signature" value="">
<label for="signerName">Your full name</label>
<input type="text" id="signerName" name="signerName" required minlength="2" maxlength="${SIGNER_NAME_MAX}" autocomplete="name" value="${esc(s.signerName ?? '')}"${nameError ? ' aria-invalid="true" aria-describedby="signerName-error"' : ''}>
${nameError ? `<p class="field-error" id="signerName-error">${esc(nameError)}</p>` : ''}
<noscript><p class="small muted">Your typed name will be your signature.</p></noscript>
<div id="sigbox" hidden>
<div class="row"><label for="pad">Draw your signature <span class="muted small">(optional: your typed name also signs)</span></label><button type="button" class="link" id="clear">Clear</button></div>
<canvas id="pad" width="600" height="200" tabindex="0" aria-label="Signature pad: draw your signature with a mouse, pen or finger"></canvas>
${signatureError ? `<p class="field-error">${esc(signatureError)}</p>` : ''}
</div>
<label class="check"><input type="checkbox" name="consent" value="yes" required${consentError ? ' aria-invalid="true"' : ''}><span>I accept quote ${esc(s.quote.number ?? '')} for <strong>${esc(total)}</strong> and agree that my typed name and signature sign it electronically.</span></label>
${consentError ? `<p class="field-error">${esc(consentError)}</p>` : ''}
<button type="submit" class="primary">Accept and sign</button>
<p class="small muted">We record your name, signature, the time, your IP address and browser, and a fingerprint of the quote document you were shown, as evidence of your acceptance.</p>
</form>
</section>`;
}

export function quotePageHtml(s: PageState, nonce: string): string {
  const m = s.model;
  const locale = intlLocale(m.locale);
  const money = (v: string) => formatMoney(v, m.currency, locale);
  const number = m.number ?? '';
  const contactLine = s.quote.client.contactName && s.quote.client.contactName !== m.client.name ? [`Attn. ${s.quote.client.contactName}`] : [];
  const lines = m.lines.map((l) => `<tr>
<td class="desc">${esc(l.description)}</td>
<td class="num" data-label="Qty">${esc(formatNumber(l.quantity, locale))}${l.unit ? ` ${esc(l.unit)}` : ''}</td>
<td class="num" data-label="Unit price">${esc(money(l.unitPrice))}</td>
${m.lines.some((x) => x.discountPercent) ? `<td class="num${l.discountPercent ? '' : ' empty'}" data-label="Discount">${l.discountPercent ? esc(formatPercent(l.discountPercent, locale)) : ''}</td>` : ''}
<td class="num" data-label="VAT">${esc(formatPercent(l.taxRate, locale))}</td>
<td class="num" data-label="Amount">${esc(money(l.netAmount))}</td>
</tr>`).join('');
  const hasDiscount = m.lines.some((x) => x.discountPercent);
  const taxRows = m.totals.taxBreakdown.map((t) => `<div><span>VAT ${esc(formatPercent(t.rate, locale))} on ${esc(money(t.base))}</span><span>${esc(money(t.amount))}</span></div>`).join('');
  const withholding = Number(m.totals.withholding) !== 0 ? `<div><span>Withholding</span><span>−${esc(money(m.totals.withholding.replace(/^-/, '')))}</span></div>` : '';
  const pdf = s.pdfUrl
    ? `<a class="button pdf" href="${esc(s.pdfUrl)}" target="_blank" rel="noopener noreferrer" download="${esc(number || 'quote')}.pdf">Download the PDF</a>`
    : s.pdfPending ? '<span class="muted small pdf">The PDF is being prepared: reload the page in a moment to download it.</span>' : '';
  return `<!doctype html>
<html lang="${esc(m.locale.slice(0, 2))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>Quote ${esc(number)} from ${esc(m.seller.name)}</title>
<style nonce="${nonce}">${CSS}</style>
</head>
<body>
<main>
${s.notice ? `<div class="notice bad" role="alert"><p>${esc(s.notice)}</p></div>` : ''}
${stateNotice(s, locale)}
<article class="card">
<header class="top">
<div><p class="muted small">${esc(m.seller.name)}</p><h1>Quote ${esc(number)}</h1><span class="badge ${esc(s.status)}">${esc(STATUS_LABEL[s.status])}</span></div>
<dl class="meta">
${m.issueDate ? `<dt>Issue date</dt><dd>${esc(formatDate(m.issueDate, locale))}</dd>` : ''}
${m.validUntil ? `<dt>Valid until</dt><dd>${esc(formatDate(m.validUntil, locale))}</dd>` : ''}
<dt>Total</dt><dd><strong>${esc(money(m.totals.total))}</strong></dd>
</dl>
</header>
</article>
<div class="card parties">
${party('From', m.seller)}
${party('Prepared for', m.client, contactLine)}
</div>
<section class="card" aria-label="Lines">
<table class="lines">
<thead><tr><th>Description</th><th class="num">Qty</th><th class="num">Unit price</th>${hasDiscount ? '<th class="num">Discount</th>' : ''}<th class="num">VAT</th><th class="num">Amount</th></tr></thead>
<tbody>${lines}</tbody>
</table>
<div class="totals">
<div><span>Subtotal</span><span>${esc(money(m.totals.net))}</span></div>
${taxRows}
${withholding}
<div class="grand"><span>Total</span><span>${esc(money(m.totals.total))}</span></div>
</div>
${m.notes ? `<p class="small">${esc(m.notes)}</p>` : ''}
${pdf ? `<div class="row">${pdf}</div>` : ''}
</section>
${s.status === 'sent' ? acceptForm(s) : ''}
<footer>Quote ${esc(number)} · ${esc(m.seller.name)}</footer>
</main>
${s.status === 'sent' ? `<script nonce="${nonce}">${SCRIPT}</script>` : ''}
</body>
</html>`;
}

/** What the page shows; the quote's documents are read once (the shown one, and whether one is being rendered). */
async function pageState(link: PublicLink, quote: Quote, extra: Partial<PageState> = {}): Promise<PageState> {
  const [tenant, documents] = await Promise.all([
    tenants().getTenant(link.tenantId),
    delivery().documents.listForSubject(quote.tenantId, quote.id),
  ]);
  const model = quoteDocumentModel(quote, { name: tenant?.name ?? '', settings: tenant?.settings });
  const document = shownDocumentAmong(documents, quote, link.documentId);
  const pdfUrl = document
    ? await storage().presignGet(document.s3Key, { contentType: 'application/pdf', downloadName: `${quote.number ?? quote.id}.pdf`, expiresInSeconds: PDF_LINK_TTL_SECONDS })
    : null;
  const pdfPending = !document && documents.some((d) => d.subjectType === 'quote' && d.status === 'pending');
  return { quote, model, status: effectiveStatus(quote, today()), token: link.token, document, pdfUrl, pdfPending, ...extra };
}

const htmlResponse = (status: number, state: PageState): RawResponse => htmlPage(status, (nonce) => quotePageHtml(state, nonce));

/** GET /p/{token} of a quote: the page (the view is recorded: document.viewed via 'link', subject the quote). */
export async function renderQuotePage(link: PublicLink, ctx: RequestContext<unknown, unknown>): Promise<RawResponse> {
  const quote = await crm().quotes.get(link.tenantId, link.subjectId);
  if (!quote || quote.status === 'draft') return notAvailable();
  try {
    await delivery().links.recordView(link, 'link', { ip: ctx.sourceIp, userAgent: ctx.userAgent });
  } catch (error) {
    // a lost view count must not cost the client the page
    logger.warn('could not record a view of a quote page', { quoteId: quote.id, error: error as Error });
  }
  return htmlResponse(200, await pageState(link, quote));
}

const isForm = (contentType: string | undefined) => /^application\/x-www-form-urlencoded/i.test(contentType ?? '');

/** A JSON client's acceptance; a form's fields arrive as strings (the HTTP layer parses urlencoded bodies of public routes). */
const AcceptBody = z.object({
  signerName: z.string().max(2000).optional(),
  signature: z.string().max(Math.ceil(MAX_SIGNATURE_BYTES / 3) * 4 + 64).optional(),
  consent: z.union([z.boolean(), z.string().max(10)]).optional(),
  documentId: z.string().max(64).optional(),
});

const Accepted = z.object({
  status: z.literal('accepted'),
  quoteId: z.string(),
  number: z.string().nullable(),
  acceptedAt: z.string(),
  signerName: z.string(),
  method: z.enum(['drawn', 'typed']),
  documentSha256: z.string().nullable(),
});

export const routes = {
  'POST /p/{token}/accept': route({
    summary: 'The client accepts the quote of a public link: full name, optional drawn signature (PNG data URL), consent. '
      + 'A form post (urlencoded) answers with a redirect (303) to the page showing the accepted state, or the page with what is wrong; '
      + 'JSON { signerName, signature?, consent } answers JSON. 409 when expired, declined or already accepted.',
    permission: 'public',
    body: AcceptBody,
    response: Accepted,
    maxBodyBytes: 512 * 1024,
    errors: [404, 409, 422],
    handler: async (ctx) => {
      const form = isForm(ctx.headers['content-type']);
      const found = await usableLink(ctx.params.token!);
      const link = found?.subjectType === 'quote' ? found : null;
      if (!link) {
        if (form) return notAvailable();
        throw new NotFound('quote');
      }
      const input = (ctx.body ?? {}) as z.infer<typeof AcceptBody>;
      try {
        const quote = await acceptQuote(acceptancePorts(), {
          tenantId: link.tenantId,
          quoteId: link.subjectId,
          input,
          ip: ctx.sourceIp,
          userAgent: ctx.userAgent,
          linkDocumentId: link.documentId,
        });
        if (form) return new RawResponse({ statusCode: 303, headers: { location: pageUrl(link.token), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
        const a = quote.acceptance!;
        return { status: 'accepted', quoteId: quote.id, number: quote.number ?? null, acceptedAt: quote.acceptedAt!, signerName: a.signerName, method: a.method, documentSha256: a.documentSha256 };
      } catch (error) {
        if (!form) throw error;
        if (error instanceof NotFound) return notAvailable();
        if (!(error instanceof RuleViolation) && !(error instanceof Conflict)) throw error;
        const quote = await crm().quotes.get(link.tenantId, link.subjectId);
        if (!quote) return notAvailable();
        const status = error instanceof RuleViolation ? 422 : 409;
        const state = await pageState(link, quote, error instanceof RuleViolation
          ? { errors: error.errors, signerName: typeof input.signerName === 'string' ? input.signerName.slice(0, SIGNER_NAME_MAX) : '' }
          : { notice: error.message });
        return htmlResponse(status, state);
      }
    },
  }),
};
