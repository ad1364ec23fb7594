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
import { invoicePageTemplate, INVOICE_PAGE_CSS, type BankTransferView, type InvoicePageState } from '../../../templates/public/invoice-page';
import { Settings as DocumentSettingsArea, LocaleFormat, Printing, Texts, type PublicLinkRecord } from '../../domain/documents';
import { Settlement, type Invoice } from '../../domain/invoicing';
import { dec, today } from '../../domain/kernel';
import { EpcQr } from '../../domain/payments';
import { RawResponse, route, type RequestContext } from '../../shared/http/route';
import { logger } from '../../shared/logger';
import { documents } from '../../shared/wiring/documents';
import { epcQrDataUri, hostedInvoices } from '../../shared/wiring/hosted';
import { storage } from '../../shared/wiring/storage';
import { tenants } from '../../shared/wiring/tenancy';
import { almostReady, esc, notAvailable, pageUrl, scriptlessPage, usableLink } from './page';

const invoicePageHtml = invoicePageTemplate({ ...LocaleFormat, esc, pageUrl, translator: Texts.translator });

/** A browser asks for HTML first; API clients, scripts and mail scanners (Accept: * / *) get the 302 to the PDF. */
export const wantsHtml = (accept: string | undefined): boolean => /\btext\/html\b/i.test(accept ?? '');

type Tenant = NonNullable<Awaited<ReturnType<ReturnType<typeof tenants>['getTenant']>>>;

/** Whether the tenant has stored Stripe keys (sealed; reading the flag opens nothing). */
export function cardPaymentConfigured(settings: unknown): boolean {
  const stripe = (settings as { payments?: { stripe?: unknown } } | undefined)?.payments?.stripe;
  return Boolean(stripe && typeof stripe === 'object');
}

/** The page's status word: void, paid (by money or by hand), overdue (past due with money owed), partly paid, open. */
export function pageStatus(invoice: Invoice.Info, figures: Settlement.SettlementView, on: string): InvoicePageState['status'] {
  if (invoice.status === 'void') return 'void';
  if (invoice.status === 'paid' || figures.paymentStatus === 'paid') return 'paid';
  if (figures.balanceDue && dec(figures.balanceDue).gt(0) && invoice.dueDate && invoice.dueDate < on) return 'overdue';
  if (figures.paymentStatus === 'partially_paid') return 'partially_paid';
  return 'open';
}

/** Whether the invoice has an e-invoice (issued invoices and credit notes; the XML itself is made by /p/{token}/xml). */
const hasEInvoice = (invoice: Invoice.Info) => invoice.type !== 'proforma' && invoice.status !== 'draft' && Boolean(invoice.number && invoice.issueDate);

async function bankTransferOf(invoice: Invoice.Info, tenant: Tenant, balanceDue: string): Promise<BankTransferView | null> {
  const settings = DocumentSettingsArea.documentSettingsOf(tenant.settings);
  const account = settings.bankAccount;
  if (!account?.iban || !invoice.number || !dec(balanceDue).gt(0)) return null;
  const seller = Printing.sellerOf(tenant, settings);
  const beneficiary = (seller.legalName || seller.name).slice(0, 70);
  let qrDataUri: string | null = null;
  try {
    const payload = EpcQr.epcQrPayload({
      name: beneficiary,
      iban: account.iban,
      bic: account.bic,
      amount: balanceDue,
      currency: invoice.currency,
      remittance: invoice.number,
    });
    qrDataUri = await epcQrDataUri(payload);
  } catch {
    // not EUR, not a SEPA IBAN, or too long for the code: the details alone
  }
  return {
    beneficiary,
    iban: account.iban.replace(/\s+/g, '').toUpperCase(),
    bic: account.bic ?? null,
    bankName: account.bankName ?? null,
    amount: balanceDue,
    reference: invoice.number,
    qrDataUri,
  };
}

const NOTICES: Record<string, InvoicePageState['notice']> = {
  success: { key: 'paymentProcessing', tone: 'ok' },
  cancel: { key: 'paymentCancelled', tone: 'warn' },
  paid: { key: 'alreadyPaid', tone: 'ok' },
  unavailable: { key: 'cardUnavailable', tone: 'bad' },
};

/** The page's data, or null when the link's invoice is gone. */
export async function invoicePageState(
  link: PublicLinkRecord,
  access: { token: string } | { preview: true },
  notice?: string,
): Promise<{ state: InvoicePageState; invoice: Invoice.Info; tenant: Tenant } | null> {
  const [invoice, tenant, document] = await Promise.all([
    hostedInvoices().get(link.tenantId, link.subjectId),
    tenants().getTenant(link.tenantId),
    link.documentId ? documents().documents.get(link.tenantId, link.documentId) : null,
  ]);
  if (!invoice || !tenant || !invoice.client || invoice.status === 'draft') return null;
  const model = Printing.invoiceDocumentModel(invoice, { name: tenant.name, settings: tenant.settings });
  const view = Settlement.settlementView(invoice);
  const status = pageStatus(invoice, view, today());
  const figures =
    view.balanceDue !== null && view.amountPayable !== null && invoice.type === 'invoice'
      ? {
          amountPayable: view.amountPayable,
          amountPaid: view.amountPaid ?? '0',
          balanceDue: view.balanceDue,
          paidAt: view.paidAt,
        }
      : null;
  const owes = Boolean(figures && dec(figures.balanceDue).gt(0) && status !== 'paid' && status !== 'void');
  const preview = 'preview' in access;
  const state: InvoicePageState = {
    model,
    status,
    figures,
    token: preview ? null : access.token,
    preview,
    pdfAvailable: document?.status === 'ready',
    xmlAvailable: hasEInvoice(invoice),
    bankTransfer: owes && figures ? await bankTransferOf(invoice, tenant, figures.balanceDue) : null,
    payByCard: owes && !preview && cardPaymentConfigured(tenant.settings),
    notice: notice ? NOTICES[notice] : undefined,
  };
  return { state, invoice, tenant };
}

export const invoicePageResponse = (status: number, state: InvoicePageState): RawResponse =>
  scriptlessPage(status, invoicePageHtml(state), INVOICE_PAGE_CSS, { 'content-language': state.model.locale.slice(0, 2) });

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

/** The invoice link of a token, or null (unknown, revoked, expired, or a quote's). */
export async function invoiceLink(token: string): Promise<PublicLinkRecord | null> {
  const link = await usableLink(token);
  return link?.subjectType === 'invoice' ? link : null;
}

export const routes = {
  'GET /p/{token}/pdf': route({
    summary: "The PDF of an invoice link's document: a 302 to a presigned URL (minutes); 503 while it is being rendered",
    permission: 'public',
    errors: [404],
    handler: async (ctx) => {
      const language = ctx.headers['accept-language'];
      const link = await invoiceLink(ctx.params.token!);
      const doc = link?.documentId ? await documents().documents.get(link.tenantId, link.documentId) : null;
      if (!link || !doc || doc.status === 'failed') return notAvailable(language);
      if (doc.status === 'pending') return almostReady(language);
      const url = await storage().presignGet(doc.s3Key, { contentType: 'application/pdf', downloadName: `${doc.subjectId}.pdf` });
      return new RawResponse({ statusCode: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
    },
  }),
};
