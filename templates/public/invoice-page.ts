/**
 * The client's page of an invoice (GET /p/{token} of an invoice's link, from a browser): server-rendered HTML
 * with inline CSS and NO script (the page works the same with or without JavaScript; its CSP allows the
 * stylesheet by its hash and no script at all). Pure: the page's data and the helpers come in;
 * functions/handlers/public/invoice-page.ts serves it. Every word the client reads comes from the catalogue
 * (templates/i18n/<lang>.json, `invoicePage.*` and `document.*`), in the model's language (the client's).
 */
import { partyBlock, type PageHelpers, type PageParty, type Translate } from './page-parts';
import { QUOTE_PAGE_CSS } from './styles';

export type InvoicePageStatus = 'open' | 'paid' | 'partially_paid' | 'overdue' | 'void' | 'issued';

/** What the page prints of the invoice (the document's print model). */
interface PageModel {
  kind: 'invoice' | 'credit_note' | 'proforma' | 'quote' | 'simplified';
  locale: string;
  number: string | null;
  issueDate: string | null;
  dueDate?: string | null;
  currency: string;
  seller: PageParty;
  client: PageParty;
  lines: { description: string; quantity: string; unit?: string | null; unitPrice: string; taxRate: string; netAmount: string }[];
  totals: { net: string; withholding: string; total: string; taxBreakdown: { rate: string; base: string; amount: string }[] };
  notes?: string | null;
  /** The invoices a credit note corrects. */
  corrects?: { number: string; issueDate?: string | null }[] | null;
}

export interface BankTransferView {
  beneficiary: string;
  iban: string;
  bic: string | null;
  bankName: string | null;
  /** The balance due (decimal string), in the invoice's currency. */
  amount: string;
  reference: string;
  /** The EPC QR code as a `data:image/png;base64,...` URI; null when no code can be made (not EUR, not SEPA, ...). */
  qrDataUri: string | null;
}

export interface InvoicePageState {
  model: PageModel;
  status: InvoicePageStatus;
  /** Money figures (null for documents that owe nothing: drafts, proformas, credit notes; invoices and simplified invoices have them). */
  figures: { amountPayable: string; amountPaid: string; balanceDue: string; paidAt: string | null } | null;
  /** The client's token (download and pay URLs); null in a staff preview. */
  token: string | null;
  preview?: boolean;
  pdfAvailable: boolean;
  xmlAvailable: boolean;
  bankTransfer: BankTransferView | null;
  /** Card payment is set up and there is something to pay (never in a preview). */
  payByCard: boolean;
  /** A message above the page: a catalogue key of invoicePage. */
  notice?: { key: string; tone: 'ok' | 'warn' | 'bad' };
}

export type InvoicePageHelpers = PageHelpers;

/** The invoice page's stylesheet: the quote page's, then its own rules. One constant: its hash is in the CSP. */
export const INVOICE_PAGE_CSS = `${QUOTE_PAGE_CSS}
.badge.open{color:var(--brand)}.badge.paid{color:var(--ok)}.badge.partially_paid{color:var(--warn)}.badge.overdue{color:var(--bad)}.badge.void{color:var(--muted)}.badge.issued{color:var(--ink)}
.due{font-size:1.6rem;font-weight:700;margin:8px 0 0;font-variant-numeric:tabular-nums}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:16px}
.pay{margin-top:16px}
.transfer{display:grid;grid-template-columns:1fr auto;gap:16px;align-items:start}
.transfer dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0}
.transfer dt{color:var(--muted)}.transfer dd{margin:0;word-break:break-all;font-variant-numeric:tabular-nums}
.qr{text-align:center}.qr img{width:200px;height:200px;image-rendering:pixelated;display:block;margin:0 auto}
a.button:focus,button:focus{outline:3px solid var(--brand);outline-offset:2px}
@media (max-width:640px){.transfer{grid-template-columns:1fr}}
@media print{.pay,.actions{display:none}}
`;

/** The page's HTML, with the helpers given. */
export function invoicePageTemplate(helpers: InvoicePageHelpers): (state: InvoicePageState) => string {
  const { esc, formatDate, formatMoney, formatNumber, formatPercent, intlLocale, pageUrl, translator } = helpers;
  type T = Translate;

  const party = (t: T, title: string, p: PageParty) => partyBlock(esc, t, title, p);

  function transfer(t: T, s: InvoicePageState, money: (v: string) => string): string {
    const b = s.bankTransfer;
    if (!b) return '';
    const qr = b.qrDataUri
      ? `<figure class="qr"><img src="${esc(b.qrDataUri)}" width="200" height="200" alt="${esc(t('invoicePage.qrAlt', { amount: money(b.amount), number: b.reference }))}"><figcaption class="small muted">${esc(t('invoicePage.scanToPay'))}</figcaption></figure>`
      : '';
    return `<section class="card" aria-labelledby="transfer-title">
  <h2 id="transfer-title">${esc(t('invoicePage.bankTransfer'))}</h2>
  <div class="transfer">
  <dl>
  <dt>${esc(t('invoicePage.beneficiary'))}</dt><dd>${esc(b.beneficiary)}</dd>
  <dt>${esc(t('document.iban'))}</dt><dd>${esc(b.iban.replace(/(.{4})(?=.)/g, '$1 '))}</dd>
  ${b.bic ? `<dt>${esc(t('document.bic'))}</dt><dd>${esc(b.bic)}</dd>` : ''}
  ${b.bankName ? `<dt>${esc(t('document.bank'))}</dt><dd>${esc(b.bankName)}</dd>` : ''}
  <dt>${esc(t('document.amount'))}</dt><dd><strong>${esc(money(b.amount))}</strong></dd>
  <dt>${esc(t('invoicePage.reference'))}</dt><dd>${esc(b.reference)}</dd>
  </dl>
  ${qr}
  </div>
  </section>`;
  }

  return function invoicePageHtml(s: InvoicePageState): string {
    const m = s.model;
    const locale = intlLocale(m.locale);
    const t = translator(m.locale);
    const money = (v: string) => formatMoney(v, m.currency, locale);
    const number = m.number ?? '';
    const documentName = t(`document.${m.kind}`);
    const f = s.figures;
    const lines = m.lines
      .map(
        (l) => `<tr>
  <td class="desc">${esc(l.description)}</td>
  <td class="num" data-label="${esc(t('document.qty'))}">${esc(formatNumber(l.quantity, locale))}${l.unit ? ` ${esc(l.unit)}` : ''}</td>
  <td class="num" data-label="${esc(t('document.unitPrice'))}">${esc(money(l.unitPrice))}</td>
  <td class="num" data-label="${esc(t('document.vat'))}">${esc(formatPercent(l.taxRate, locale))}</td>
  <td class="num" data-label="${esc(t('document.amount'))}">${esc(money(l.netAmount))}</td>
  </tr>`,
      )
      .join('');
    const taxRows = m.totals.taxBreakdown
      .map((row) => `<div><span>${esc(t('document.vat'))} ${esc(formatPercent(row.rate, locale))}</span><span>${esc(money(row.amount))}</span></div>`)
      .join('');
    const paidNotice =
      s.status === 'paid'
        ? `<div class="notice ok" role="status"><h2>${esc(t('invoicePage.thankYou'))}</h2>${f?.paidAt ? `<p>${esc(t('invoicePage.paidOn', { date: formatDate(f.paidAt, locale) }))}</p>` : ''}</div>`
        : '';
    const notice = s.notice ? `<div class="notice ${s.notice.tone}" role="status"><p>${esc(t(`invoicePage.${s.notice.key}`))}</p></div>` : '';
    const base = s.token ? pageUrl(s.token) : null;
    const downloads = base
      ? [
          s.pdfAvailable
            ? `<a class="button" href="${esc(`${base}/pdf`)}" download="${esc(number || 'invoice')}.pdf">${esc(t('invoicePage.downloadPdf'))}</a>`
            : '',
          s.xmlAvailable
            ? `<a class="button" href="${esc(`${base}/xml`)}" download="${esc(number || 'invoice')}.xml">${esc(t('invoicePage.downloadXml'))}</a>`
            : '',
        ].join('')
      : '';
    const pay =
      s.payByCard && base && f
        ? `<form class="pay" method="post" action="${esc(`${base}/pay`)}"><button type="submit" class="primary">${esc(t('invoicePage.payByCard', { amount: money(f.balanceDue) }))}</button></form>`
        : '';
    const showTransfer = s.status !== 'paid' && s.status !== 'void';
    const corrects = (m.corrects ?? []).map((c) =>
      c.issueDate ? t('document.corrects', { number: c.number, date: formatDate(c.issueDate, locale) }) : t('document.correctsNoDate', { number: c.number }),
    );
    const credit =
      m.kind === 'credit_note' ? `<div class="small">${[t('document.creditNoteNotice'), ...corrects].map((line) => `<p>${esc(line)}</p>`).join('')}</div>` : '';
    const totalLabel = t(m.kind === 'credit_note' ? 'document.totalCredited' : 'document.total');
    return `<!doctype html>
  <html lang="${esc(m.locale.slice(0, 2))}">
  <head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <meta name="robots" content="noindex,nofollow">
  <title>${esc(t('invoicePage.title', { document: documentName, number, seller: m.seller.name }))}</title>
  <style>${INVOICE_PAGE_CSS}</style>
  </head>
  <body>
  <main>
  ${s.preview ? `<div class="notice warn" role="status"><p>${esc(t('invoicePage.preview'))}</p></div>` : ''}
  ${notice}
  ${paidNotice}
  <article class="card">
  <header class="top">
  <div><p class="muted small">${esc(m.seller.name)}</p><h1>${esc(`${documentName} ${number}`.trim())}</h1><span class="badge ${esc(s.status)}">${esc(t(`invoicePage.status.${s.status}`))}</span></div>
  <dl class="meta">
  ${m.issueDate ? `<dt>${esc(t('document.issueDate'))}</dt><dd>${esc(formatDate(m.issueDate, locale))}</dd>` : ''}
  ${m.dueDate ? `<dt>${esc(t('document.dueDate'))}</dt><dd>${esc(formatDate(m.dueDate, locale))}</dd>` : ''}
  <dt>${esc(totalLabel)}</dt><dd>${esc(money(m.totals.total))}</dd>
  ${f && f.amountPaid !== '0' && Number(f.amountPaid) !== 0 ? `<dt>${esc(t('invoicePage.amountPaid'))}</dt><dd>${esc(money(f.amountPaid))}</dd>` : ''}
  ${f ? `<dt>${esc(t('invoicePage.balanceDue'))}</dt><dd><strong class="balance">${esc(money(f.balanceDue))}</strong></dd>` : ''}
  </dl>
  </header>
  ${f && s.status !== 'paid' && s.status !== 'void' ? `<p class="due" aria-label="${esc(t('invoicePage.balanceDue'))}">${esc(money(f.balanceDue))}</p>${m.dueDate ? `<p class="small muted">${esc(t('invoicePage.dueOn', { date: formatDate(m.dueDate, locale) }))}</p>` : ''}` : ''}
  ${credit}
  ${pay}
  ${downloads ? `<div class="actions">${downloads}</div>` : ''}
  </article>
  ${showTransfer ? transfer(t, s, money) : ''}
  <div class="card parties">
  ${party(t, t('document.seller'), m.seller)}
  ${party(t, t('document.billTo'), m.client)}
  </div>
  <section class="card" aria-label="${esc(t('invoicePage.linesLabel'))}">
  <table class="lines">
  <thead><tr><th scope="col">${esc(t('document.description'))}</th><th scope="col" class="num">${esc(t('document.qty'))}</th><th scope="col" class="num">${esc(t('document.unitPrice'))}</th><th scope="col" class="num">${esc(t('document.vat'))}</th><th scope="col" class="num">${esc(t('document.amount'))}</th></tr></thead>
  <tbody>${lines}</tbody>
  </table>
  <div class="totals">
  <div><span>${esc(t('document.subtotal'))}</span><span>${esc(money(m.totals.net))}</span></div>
  ${taxRows}
  ${Number(m.totals.withholding) !== 0 ? `<div><span>${esc(t('document.withholding'))}</span><span>−${esc(money(m.totals.withholding.replace(/^-/, '')))}</span></div>` : ''}
  <div class="grand"><span>${esc(totalLabel)}</span><span>${esc(money(m.totals.total))}</span></div>
  </div>
  ${m.notes ? `<p class="small">${esc(m.notes)}</p>` : ''}
  </section>
  <footer>${esc(m.seller.name)}</footer>
  </main>
  </body>
  </html>`;
  };
}
