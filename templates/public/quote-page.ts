/**
 * The client's page of a quote (GET /p/{token} of a quote's link): server-rendered HTML with inline CSS and
 * one small inline script (styles.ts). Pure: the page's data and the helpers (HTML escaping, locale
 * formatting of printed values, the page's URL) come in; functions/handlers/public/quote-page.ts serves it.
 */
import { QUOTE_PAGE_CSS, QUOTE_PAGE_SCRIPT } from './styles';

type QuoteStatus = 'draft' | 'sent' | 'accepted' | 'expired' | 'declined';

interface PageAddress {
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  region?: string | null;
  country: string;
}

interface PageParty {
  name: string;
  legalName?: string | null;
  taxId?: string | null;
  address?: PageAddress | null;
  email?: string | null;
  phone?: string | null;
}

/** What the page prints of the quote (the document's print model). */
interface PageModel {
  locale: string;
  number: string | null;
  issueDate: string | null;
  validUntil?: string | null;
  currency: string;
  seller: PageParty;
  client: PageParty;
  lines: {
    description: string;
    quantity: string;
    unit?: string | null;
    unitPrice: string;
    discountPercent?: string | null;
    taxRate: string;
    netAmount: string;
  }[];
  totals: { net: string; withholding: string; total: string; taxBreakdown: { rate: string; base: string; amount: string }[] };
  notes?: string | null;
}

/** What the page reads of the quote record itself. */
interface PageQuote {
  number?: string;
  validUntil?: string;
  acceptedAt?: string;
  acceptance?: { signerName: string; signedAt: string };
  client: { contactName?: string };
}

export interface QuotePageHelpers {
  /** Text and attribute values as HTML. */
  esc(value: unknown): string;
  formatMoney(amount: unknown, currency: string, locale: string): string;
  formatNumber(amount: unknown, locale: string): string;
  formatPercent(rate: unknown, locale: string): string;
  formatDate(iso: unknown, locale: string): string;
  intlLocale(locale: string | null | undefined): string;
  /** The public URL of the link's page. */
  pageUrl(token: string): string;
  signerNameMax: number;
}

export interface QuotePageState {
  quote: PageQuote;
  model: PageModel;
  status: QuoteStatus;
  /** The client's token (the form posts to its page); null in a staff preview, which has no form. */
  token: string | null;
  /** A staff preview: the client's view, without the accept form, and nothing is recorded. */
  preview?: boolean;
  document: { id: string } | null;
  pdfUrl: string | null;
  /** No document is ready yet, but one is being rendered. */
  pdfPending?: boolean;
  /** After a refused form post: the problems and what the client typed. */
  errors?: { field: string; message: string }[];
  signerName?: string;
  /** A message above the page (e.g. why the acceptance was refused). */
  notice?: string;
}

/** The page's HTML, with the helpers given. */
export function quotePageTemplate(helpers: QuotePageHelpers): (state: QuotePageState, nonce: string) => string {
  const { esc, formatDate, formatMoney, formatNumber, formatPercent, intlLocale, pageUrl } = helpers;
  const SIGNER_NAME_MAX = helpers.signerNameMax;

  function addressLines(a: PageAddress | null | undefined): string[] {
    if (!a) return [];
    return [a.line1, a.line2, [a.postalCode, a.city].filter(Boolean).join(' '), [a.region, a.country].filter(Boolean).join(', ')].filter((l): l is string =>
      Boolean(l && l.trim()),
    );
  }

  function party(
    title: string,
    p: { name: string; legalName?: string | null; taxId?: string | null; address?: PageAddress | null; email?: string | null; phone?: string | null },
    extra: string[] = [],
  ): string {
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

  const STATUS_LABEL: Record<QuoteStatus, string> = {
    draft: 'Draft',
    sent: 'Awaiting your acceptance',
    accepted: 'Accepted',
    expired: 'Expired',
    declined: 'Declined',
  };

  function stateNotice(s: QuotePageState, locale: string): string {
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

  function acceptForm(s: QuotePageState, token: string): string {
    const errorOf = (field: string) => s.errors?.find((e) => e.field === field)?.message;
    const nameError = errorOf('signerName');
    const consentError = errorOf('consent');
    const signatureError = errorOf('signature');
    const total = formatMoney(s.model.totals.total, s.model.currency, intlLocale(s.model.locale));
    return `<section class="card" aria-labelledby="accept-title">
  <h2 id="accept-title">Accept this quote</h2>
  ${s.errors?.length ? `<ul class="errors" role="alert">${s.errors.map((e) => `<li>${esc(e.message)}</li>`).join('')}</ul>` : ''}
  <form id="accept" method="post" action="${esc(`${pageUrl(token)}/accept`)}" accept-charset="utf-8">
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

  function quotePageHtml(s: QuotePageState, nonce: string): string {
    const m = s.model;
    const locale = intlLocale(m.locale);
    const money = (v: string) => formatMoney(v, m.currency, locale);
    const number = m.number ?? '';
    const contactLine = s.quote.client.contactName && s.quote.client.contactName !== m.client.name ? [`Attn. ${s.quote.client.contactName}`] : [];
    const lines = m.lines
      .map(
        (l) => `<tr>
  <td class="desc">${esc(l.description)}</td>
  <td class="num" data-label="Qty">${esc(formatNumber(l.quantity, locale))}${l.unit ? ` ${esc(l.unit)}` : ''}</td>
  <td class="num" data-label="Unit price">${esc(money(l.unitPrice))}</td>
  ${m.lines.some((x) => x.discountPercent) ? `<td class="num${l.discountPercent ? '' : ' empty'}" data-label="Discount">${l.discountPercent ? esc(formatPercent(l.discountPercent, locale)) : ''}</td>` : ''}
  <td class="num" data-label="VAT">${esc(formatPercent(l.taxRate, locale))}</td>
  <td class="num" data-label="Amount">${esc(money(l.netAmount))}</td>
  </tr>`,
      )
      .join('');
    const hasDiscount = m.lines.some((x) => x.discountPercent);
    const taxRows = m.totals.taxBreakdown
      .map((t) => `<div><span>VAT ${esc(formatPercent(t.rate, locale))} on ${esc(money(t.base))}</span><span>${esc(money(t.amount))}</span></div>`)
      .join('');
    const withholding =
      Number(m.totals.withholding) !== 0 ? `<div><span>Withholding</span><span>−${esc(money(m.totals.withholding.replace(/^-/, '')))}</span></div>` : '';
    const pdf = s.pdfUrl
      ? `<a class="button pdf" href="${esc(s.pdfUrl)}" target="_blank" rel="noopener noreferrer" download="${esc(number || 'quote')}.pdf">Download the PDF</a>`
      : s.pdfPending
        ? '<span class="muted small pdf">The PDF is being prepared: reload the page in a moment to download it.</span>'
        : '';
    return `<!doctype html>
  <html lang="${esc(m.locale.slice(0, 2))}">
  <head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <meta name="robots" content="noindex,nofollow">
  <title>Quote ${esc(number)} from ${esc(m.seller.name)}</title>
  <style nonce="${nonce}">${QUOTE_PAGE_CSS}</style>
  </head>
  <body>
  <main>
  ${s.preview ? '<div class="notice warn" role="status"><p>Preview: this is what the client sees. Nothing is recorded and nothing can be accepted here.</p></div>' : ''}
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
  ${s.status === 'sent' && s.token && !s.preview ? acceptForm(s, s.token) : ''}
  <footer>Quote ${esc(number)} · ${esc(m.seller.name)}</footer>
  </main>
  ${s.status === 'sent' && s.token && !s.preview ? `<script nonce="${nonce}">${QUOTE_PAGE_SCRIPT}</script>` : ''}
  </body>
  </html>`;
  }

  return quotePageHtml;
}
