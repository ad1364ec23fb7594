/**
 * The client's page of an invoice: GET /p/{token} of an invoice's link from a browser (`Accept: text/html`),
 * like Stripe's hosted invoice page: seller, number, dates, lines, total, balance due and status (a paid
 * invoice says so, with the date), the PDF (`/p/{token}/pdf`) and the UBL e-invoice (`/p/{token}/xml`), bank
 * transfer details with the EPC QR code (amount = the balance due, remittance = the invoice number), and a Pay
 * button when the tenant has set up card payment (`POST /p/{token}/pay`, in the card payments function).
 *
 * No script at all; the stylesheet is allowed by its hash (page.ts `scriptlessPage`). Opening the page counts
 * as a view of the link (like today's redirect); other clients keep the 302 to the PDF (links.ts).
 */
import { invoicePageTemplate, INVOICE_PAGE_CSS, type InvoicePageState } from '../../../templates/public/invoice-page';
import { LocaleFormat, Texts, type PublicLinkRecord } from '../../domain/documents';
import type { RawResponse, RequestContext } from '../../shared/http/route';
import { logger } from '../../shared/logger';
import { documents } from '../../shared/wiring/documents';
import { invoicePageState } from './invoice-page-state';
import { esc, notAvailable, pageUrl, scriptlessPage } from './page';

export { invoiceLink, invoicePageState, wantsHtml } from './invoice-page-state';

const invoicePageHtml = invoicePageTemplate({ ...LocaleFormat, esc, pageUrl, translator: Texts.translator });

/**
 * Where the Pay button's form ends up: POST /p/{token}/pay answers 303 to the Checkout Session's URL, and
 * browsers hold that redirect to the page's form-action too (without it, Chrome aborts the submit).
 */
export const CARD_CHECKOUT_ORIGINS = ['https://checkout.stripe.com'] as const;

export const invoicePageResponse = (status: number, state: InvoicePageState): RawResponse =>
  scriptlessPage(
    status,
    invoicePageHtml(state),
    INVOICE_PAGE_CSS,
    { 'content-language': state.model.locale.slice(0, 2) },
    { formTargets: state.payByCard ? CARD_CHECKOUT_ORIGINS : [] },
  );

/**
 * GET /p/{token} of an invoice from a browser: the page, and the view is recorded (document.viewed via 'link',
 * as the redirect records it). A preview records nothing and shows no Pay button.
 */
export async function renderInvoicePage(
  link: PublicLinkRecord,
  ctx: RequestContext<unknown, unknown>,
  access: { token: string } | { preview: true },
): Promise<RawResponse> {
  const language = ctx.headers['accept-language'];
  const checkout = (ctx.query as Record<string, string | undefined> | undefined)?.checkout;
  const found = await invoicePageState(link, access, checkout === 'success' || checkout === 'cancel' ? checkout : undefined);
  if (!found) return notAvailable(language);
  if (!('preview' in access)) {
    try {
      await documents().links.recordView(link, 'link', { ip: ctx.sourceIp, userAgent: ctx.userAgent });
    } catch (error) {
      // a lost view count must not cost the client the page
      logger.warn('could not record a view of an invoice page', { invoiceId: link.subjectId, error: error as Error });
    }
  }
  return invoicePageResponse(200, found.state);
}
