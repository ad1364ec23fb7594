/**
 * What the hosted invoice page shows (functions/handlers/public/invoice-page.ts renders it): the invoice, its
 * money figures and status, the bank transfer with its EPC QR code, whether the Pay button shows. Apart from the
 * page's template, so the card payments function (the Pay button's refusals) reads the same state without it.
 */
import type { BankTransferView, InvoicePageState } from '../../../templates/public/invoice-page';
import { Settings as DocumentSettingsArea, Printing, type PublicLinkRecord } from '../../domain/documents';
import { Settlement, type Invoice, type SettlementView } from '../../domain/invoicing';
import { dec, today } from '../../domain/kernel';
import { epcQrPayload, storedStripeKeys } from '../../domain/payments';
import { documents } from '../../shared/wiring/documents';
import { epcQrDataUri, hostedInvoices } from '../../shared/wiring/hosted';
import { tenants } from '../../shared/wiring/tenancy';
import { usableLink } from './page';

/** A browser asks for HTML first; API clients, scripts and mail scanners (Accept: * / *) get the 302 to the PDF. */
export const wantsHtml = (accept: string | undefined): boolean => /\btext\/html\b/i.test(accept ?? '');

/**
 * The figures the invoice shows: invoicing's own view of the money the payments area recorded on it
 * (Settlement.settlementView over the figures the ledger caches on the invoice, rebuilt from its records);
 * the page computes none. Drafts and proformas owe nothing; a credit note is not a debt.
 */
function figuresOf(invoice: Invoice.Info): SettlementView {
  return Settlement.settlementView(invoice);
}

/** Documents with a balance the client pays: invoices and simplified invoices (credit notes and proformas have none). */
const isPayable = (invoice: Invoice.Info) => invoice.type === 'invoice' || invoice.type === 'simplified';

type Tenant = NonNullable<Awaited<ReturnType<ReturnType<typeof tenants>['getTenant']>>>;

/** The page's status word: void, issued (a credit note), paid (by money or by hand), overdue (past due with money owed), partly paid, open. */
export function pageStatus(invoice: Invoice.Info, figures: SettlementView, on: string): InvoicePageState['status'] {
  if (invoice.status === 'void') return 'void';
  if (!isPayable(invoice)) return 'issued';
  if (invoice.status === 'paid' || figures.paymentStatus === 'paid') return 'paid';
  if (figures.balanceDue && dec(figures.balanceDue).gt(0) && invoice.dueDate && invoice.dueDate < on) return 'overdue';
  if (figures.paymentStatus === 'partially_paid') return 'partially_paid';
  return 'open';
}

/** Whether the invoice has an e-invoice (issued invoices and credit notes naming their client; the XML itself is made by /p/{token}/xml). */
const hasEInvoice = (invoice: Invoice.Info) =>
  // EN 16931 requires a buyer (BT-44): a simplified invoice naming no recipient has no e-invoice
  invoice.type !== 'proforma' && invoice.status !== 'draft' && Boolean(invoice.number && invoice.issueDate && invoice.client);

async function bankTransferOf(invoice: Invoice.Info, tenant: Tenant, balanceDue: string): Promise<BankTransferView | null> {
  const settings = DocumentSettingsArea.documentSettingsOf(tenant.settings);
  const account = settings.bankAccount;
  if (!account?.iban || !invoice.number || !dec(balanceDue).gt(0)) return null;
  const seller = Printing.sellerOf(tenant, settings);
  const beneficiary = (seller.legalName || seller.name).slice(0, 70);
  let qrDataUri: string | null = null;
  try {
    const payload = epcQrPayload({
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
  if (!invoice || !tenant || invoice.status === 'draft') return null;
  let model: InvoicePageState['model'];
  try {
    // a simplified invoice (and its R5 note) may name no client; any other invoice without one has no page
    model = Printing.invoiceDocumentModel(invoice, { name: tenant.name, settings: tenant.settings });
  } catch {
    return null;
  }
  const view = figuresOf(invoice);
  const status = pageStatus(invoice, view, today());
  const figures =
    view.balanceDue !== null && view.amountPayable !== null && isPayable(invoice)
      ? {
          amountPayable: view.amountPayable,
          amountPaid: view.amountPaid ?? '0',
          balanceDue: view.balanceDue,
          paidAt: view.paidAt,
        }
      : null;
  // the page asks for money only where the ledger can record it against a client (a simplified invoice naming
  // no recipient shows its balance, but a card payment or transfer for it would have no client to belong to)
  const owes = Boolean(figures && dec(figures.balanceDue).gt(0) && status !== 'paid' && status !== 'void' && invoice.client);
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
    payByCard: owes && !preview && storedStripeKeys(tenant.settings) !== null,
    notice: notice ? NOTICES[notice] : undefined,
  };
  return { state, invoice, tenant };
}

/** The invoice link of a token, or null (unknown, revoked, expired, or a quote's). */
export async function invoiceLink(token: string): Promise<PublicLinkRecord | null> {
  const link = await usableLink(token);
  return link?.subjectType === 'invoice' ? link : null;
}
