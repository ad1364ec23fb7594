/**
 * The client's page of a quote (GET /p/{token} of a quote's link): server-rendered HTML with inline CSS and
 * one small inline script (styles.ts). Pure: the page's data and the helpers (HTML escaping, locale
 * formatting of printed values, the texts of the client's language, the page's URL) come in;
 * functions/handlers/public/quote-page.ts serves it. Every word the client reads comes from the catalogue
 * (templates/i18n/<lang>.json, `quotePage.*` and `document.*`), in the model's language.
 */
import { partyBlock, type PageHelpers, type PageParty, type Translate } from './page-parts';
import { QUOTE_PAGE_CSS, QUOTE_PAGE_SCRIPT } from './styles';

type QuoteStatus = 'draft' | 'sent' | 'accepted' | 'expired' | 'declined';

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
  totals: {
    net: string;
    withholding: string;
    total: string;
    taxBreakdown: { rate: string; base: string; amount: string }[];
    withholdingBreakdown?: { rate: string; base: string; amount: string }[];
  };
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

export interface QuotePageHelpers extends PageHelpers {
  /** Whole days from today (UTC) to a date; negative when it is past. */
  daysUntil(date: string): number;
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
  /** A message above the page (e.g. why the acceptance was refused): a catalogue key of quotePage. */
  notice?: 'changedText' | 'alreadyAcceptedText' | 'expiredTitle' | 'declinedTitle';
  /** Whether someone at the seller's is really told of an acceptance (a notification rule with an address). */
  sellerNotified?: boolean;
}

/** The page's HTML, with the helpers given. */
export function quotePageTemplate(helpers: QuotePageHelpers): (state: QuotePageState, nonce: string) => string {
  const { esc, formatDate, formatMoney, formatNumber, formatPercent, intlLocale, pageUrl, translator, daysUntil } = helpers;
  const SIGNER_NAME_MAX = helpers.signerNameMax;

  type T = Translate;

  const party = (t: T, title: string, p: PageParty, extra: string[] = []) => partyBlock(esc, t, title, p, extra);

  function stateNotice(t: T, s: QuotePageState, locale: string): string {
    const seller = s.model.seller.name;
    const { quote } = s;
    switch (s.status) {
      case 'accepted': {
        const a = quote.acceptance;
        const when = a?.signedAt ?? quote.acceptedAt;
        const date = when ? formatDate(when, locale) : '';
        // the signer's name is bold: the text is escaped first, then the escaped name is wrapped
        const accepted = a
          ? esc(t('quotePage.acceptedBy', { signer: '\u0000', date })).replace('\u0000', `<strong>${esc(a.signerName)}</strong>`)
          : esc(t('quotePage.acceptedOn', { date }));
        const follow = t(s.sellerNotified ? 'quotePage.sellerNotified' : 'quotePage.sellerInTouch', { seller });
        return `<div class="notice ok" role="status"><h2>${esc(t('quotePage.acceptedTitle'))}</h2><p>${accepted} ${esc(follow)}</p></div>`;
      }
      case 'expired':
        return `<div class="notice warn" role="status"><h2>${esc(t('quotePage.expiredTitle'))}</h2><p>${esc(t('quotePage.expiredText', { date: formatDate(quote.validUntil, locale), seller }))}</p></div>`;
      case 'declined':
        return `<div class="notice bad" role="status"><h2>${esc(t('quotePage.declinedTitle'))}</h2><p>${esc(t('quotePage.declinedText', { seller }))}</p></div>`;
      case 'draft':
        return `<div class="notice warn" role="status"><h2>${esc(t('quotePage.draftTitle'))}</h2><p>${esc(t('quotePage.draftText'))}</p></div>`;
      default:
        return '';
    }
  }

  /** A refused field's message in the client's language (the domain's own words are for API clients). */
  function fieldMessage(t: T, field: string): string {
    if (field === 'signerName') return t('quotePage.errorSignerName', { min: 2, max: SIGNER_NAME_MAX });
    if (field === 'consent') return t('quotePage.errorConsent');
    return t('quotePage.errorSignature');
  }

  function acceptForm(t: T, s: QuotePageState, token: string): string {
    const errorOf = (field: string) => (s.errors?.some((e) => e.field === field) ? fieldMessage(t, field) : undefined);
    const nameError = errorOf('signerName');
    const consentError = errorOf('consent');
    const signatureError = errorOf('signature');
    const total = formatMoney(s.model.totals.total, s.model.currency, intlLocale(s.model.locale));
    const consent = esc(t('quotePage.consent', { number: s.quote.number ?? '', total: '\u0000' })).replace('\u0000', `<strong>${esc(total)}</strong>`);
    return `<section class="card" aria-labelledby="accept-title">
  <h2 id="accept-title">${esc(t('quotePage.acceptTitle'))}</h2>
  ${s.errors?.length ? `<ul class="errors" role="alert">${[...new Set(s.errors.map((e) => fieldMessage(t, e.field)))].map((m) => `<li>${esc(m)}</li>`).join('')}</ul>` : ''}
  <form id="accept" method="post" action="${esc(`${pageUrl(token)}/accept`)}" accept-charset="utf-8">
  <input type="hidden" name="documentId" value="${esc(s.document?.id ?? '')}">
  <input type="hidden" name="signature" id="signature" value="">
  <label for="signerName">${esc(t('quotePage.fullName'))}</label>
  <input type="text" id="signerName" name="signerName" required minlength="2" maxlength="${SIGNER_NAME_MAX}" autocomplete="name" value="${esc(s.signerName ?? '')}"${nameError ? ' aria-invalid="true" aria-describedby="signerName-error"' : ''}>
  ${nameError ? `<p class="field-error" id="signerName-error">${esc(nameError)}</p>` : ''}
  <noscript><p class="small muted">${esc(t('quotePage.typedNameSigns'))}</p></noscript>
  <div id="sigbox" hidden>
  <div class="row"><label for="pad">${esc(t('quotePage.drawSignature'))} <span class="muted small">${esc(t('quotePage.drawOptional'))}</span></label><button type="button" class="link" id="clear">${esc(t('quotePage.clear'))}</button></div>
  <canvas id="pad" width="600" height="200" tabindex="0" aria-label="${esc(t('quotePage.padLabel'))}"></canvas>
  ${signatureError ? `<p class="field-error">${esc(signatureError)}</p>` : ''}
  </div>
  <label class="check"><input type="checkbox" name="consent" value="yes" required${consentError ? ' aria-invalid="true"' : ''}><span>${consent}</span></label>
  ${consentError ? `<p class="field-error">${esc(consentError)}</p>` : ''}
  <button type="submit" class="primary">${esc(t('quotePage.acceptButton'))}</button>
  <p class="small muted">${esc(t('quotePage.evidence'))}</p>
  </form>
  </section>`;
  }

  function quotePageHtml(s: QuotePageState, nonce: string): string {
    const m = s.model;
    const locale = intlLocale(m.locale);
    const t = translator(m.locale);
    const money = (v: string) => formatMoney(v, m.currency, locale);
    const number = m.number ?? '';
    const contactLine =
      s.quote.client.contactName && s.quote.client.contactName !== m.client.name ? [t('quotePage.attention', { name: s.quote.client.contactName })] : [];
    const daysLeft = s.status === 'sent' && s.quote.validUntil ? daysUntil(s.quote.validUntil) : null;
    const validity =
      daysLeft === null || daysLeft < 0
        ? ''
        : `<p class="small muted validity">${esc(daysLeft === 0 ? t('quotePage.validToday') : t('quotePage.validFor', { count: daysLeft }))}</p>`;
    const lines = m.lines
      .map(
        (l) => `<tr>
  <td class="desc">${esc(l.description)}</td>
  <td class="num" data-label="${esc(t('document.qty'))}">${esc(formatNumber(l.quantity, locale))}${l.unit ? ` ${esc(l.unit)}` : ''}</td>
  <td class="num" data-label="${esc(t('document.unitPrice'))}">${esc(money(l.unitPrice))}</td>
  ${m.lines.some((x) => x.discountPercent) ? `<td class="num${l.discountPercent ? '' : ' empty'}" data-label="${esc(t('document.discount'))}">${l.discountPercent ? esc(formatPercent(l.discountPercent, locale)) : ''}</td>` : ''}
  <td class="num" data-label="${esc(t('document.vat'))}">${esc(formatPercent(l.taxRate, locale))}</td>
  <td class="num" data-label="${esc(t('document.amount'))}">${esc(money(l.netAmount))}</td>
  </tr>`,
      )
      .join('');
    const hasDiscount = m.lines.some((x) => x.discountPercent);
    const taxRows = m.totals.taxBreakdown
      .map(
        (row) =>
          `<div><span>${esc(t('quotePage.vatOn', { rate: formatPercent(row.rate, locale), base: money(row.base) }))}</span><span>${esc(money(row.amount))}</span></div>`,
      )
      .join('');
    const withholdingRows = m.totals.withholdingBreakdown?.length
      ? m.totals.withholdingBreakdown
          .map(
            (row) =>
              `<div><span>${esc(t('document.withholdingOn', { rate: formatPercent(row.rate, locale), base: money(row.base) }))}</span><span>−${esc(money(row.amount))}</span></div>`,
          )
          .join('')
      : Number(m.totals.withholding) !== 0
        ? `<div><span>${esc(t('document.withholding'))}</span><span>−${esc(money(m.totals.withholding.replace(/^-/, '')))}</span></div>`
        : '';
    const pdf = s.pdfUrl
      ? `<a class="button pdf" href="${esc(s.pdfUrl)}" target="_blank" rel="noopener noreferrer" download="${esc(number || 'quote')}.pdf">${esc(t('quotePage.downloadPdf'))}</a>`
      : s.pdfPending
        ? `<span class="muted small pdf">${esc(t('quotePage.pdfPending'))}</span>`
        : '';
    return `<!doctype html>
  <html lang="${esc(m.locale.slice(0, 2))}">
  <head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <meta name="robots" content="noindex,nofollow">
  <title>${esc(t('quotePage.title', { number, seller: m.seller.name }))}</title>
  <style nonce="${nonce}">${QUOTE_PAGE_CSS}</style>
  </head>
  <body>
  <main>
  ${s.preview ? `<div class="notice warn" role="status"><p>${esc(t('quotePage.preview'))}</p></div>` : ''}
  ${s.notice ? `<div class="notice bad" role="alert"><p>${esc(t(`quotePage.${s.notice}`))}</p></div>` : ''}
  ${stateNotice(t, s, locale)}
  <article class="card">
  <header class="top">
  <div><p class="muted small">${esc(m.seller.name)}</p><h1>${esc(t('quotePage.heading', { number }))}</h1><span class="badge ${esc(s.status)}">${esc(t(`quotePage.status.${s.status}`))}</span>${validity}</div>
  <dl class="meta">
  ${m.issueDate ? `<dt>${esc(t('document.issueDate'))}</dt><dd>${esc(formatDate(m.issueDate, locale))}</dd>` : ''}
  ${m.validUntil ? `<dt>${esc(t('document.validUntil'))}</dt><dd>${esc(formatDate(m.validUntil, locale))}</dd>` : ''}
  <dt>${esc(t('document.total'))}</dt><dd><strong>${esc(money(m.totals.total))}</strong></dd>
  </dl>
  </header>
  </article>
  <div class="card parties">
  ${party(t, t('document.seller'), m.seller)}
  ${party(t, t('document.quoteFor'), m.client, contactLine)}
  </div>
  <section class="card" aria-label="${esc(t('quotePage.linesLabel'))}">
  <table class="lines">
  <thead><tr><th>${esc(t('document.description'))}</th><th class="num">${esc(t('document.qty'))}</th><th class="num">${esc(t('document.unitPrice'))}</th>${hasDiscount ? `<th class="num">${esc(t('document.discount'))}</th>` : ''}<th class="num">${esc(t('document.vat'))}</th><th class="num">${esc(t('document.amount'))}</th></tr></thead>
  <tbody>${lines}</tbody>
  </table>
  <div class="totals">
  <div><span>${esc(t('document.subtotal'))}</span><span>${esc(money(m.totals.net))}</span></div>
  ${taxRows}
  ${withholdingRows}
  <div class="grand"><span>${esc(t('document.total'))}</span><span>${esc(money(m.totals.total))}</span></div>
  </div>
  ${m.notes ? `<p class="small">${esc(m.notes)}</p>` : ''}
  ${pdf ? `<div class="row">${pdf}</div>` : ''}
  </section>
  ${s.status === 'sent' && s.token && !s.preview ? acceptForm(t, s, s.token) : ''}
  <footer>${esc(t('quotePage.footer', { number, seller: m.seller.name }))}</footer>
  </main>
  ${s.status === 'sent' && s.token && !s.preview ? `<script nonce="${nonce}">${QUOTE_PAGE_SCRIPT}</script>` : ''}
  </body>
  </html>`;
  }

  return quotePageHtml;
}
