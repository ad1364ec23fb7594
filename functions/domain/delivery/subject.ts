/**
 * What delivery needs to know of the thing it delivers (an invoice or a quote): who to, what, how much.
 */
import type { Invoice } from '../invoicing';
import type { Quote } from '../sales';

export interface DeliverySubject {
  type: 'invoice' | 'quote';
  tenantId: string;
  id: string;
  number: string | null;
  stage?: string;
  currency: string;
  total: string;
  dueDate?: string | null;
  client: { name: string; legalName?: string; email?: string; phone?: string; locale?: string };
  responsibleUserId?: string;
  /** What kind of document it is (its own wording in e-mails and SMS: a credit note is not "due on"). */
  kind?: 'invoice' | 'credit_note' | 'proforma' | 'quote' | (string & {});
  /** A quote's acceptance: who signed and when, and the invoice made from it. */
  acceptance?: { signerName: string; signedAt: string };
  invoiceId?: string;
}

/** What automation needs to know of an invoice to deliver it. */
export function ofInvoice(invoice: Invoice.Info): DeliverySubject {
  return {
    type: 'invoice',
    tenantId: invoice.tenantId,
    id: invoice.id,
    number: invoice.number,
    stage: invoice.stage,
    currency: invoice.currency,
    total: invoice.totals.total,
    dueDate: invoice.dueDate,
    client: {
      name: invoice.client?.legalName ?? invoice.client?.name ?? '',
      email: invoice.client?.email,
      // SMS go to the E.164 form (read in the client's country when it was stored); the typed form otherwise
      phone: invoice.client?.phoneE164 ?? invoice.client?.phone,
      ...(invoice.client?.locale ? { locale: invoice.client.locale } : {}),
    },
    responsibleUserId: invoice.responsibleUserId,
    kind: invoice.type,
  };
}

/** What the delivery steps (document, e-mail) need to know of a quote. */
export function ofQuote(quote: Quote.Info): DeliverySubject {
  return {
    type: 'quote',
    tenantId: quote.tenantId,
    id: quote.id,
    number: quote.number ?? null,
    stage: quote.status,
    currency: quote.currency,
    total: quote.totals.total,
    dueDate: null,
    client: {
      name: quote.client.legalName ?? quote.client.name,
      ...(quote.client.email ? { email: quote.client.email } : {}),
      ...(quote.client.phone ? { phone: quote.client.phoneE164 ?? quote.client.phone } : {}),
      ...(quote.client.locale ? { locale: quote.client.locale } : {}),
    },
    ...(quote.responsibleUserId ? { responsibleUserId: quote.responsibleUserId } : {}),
    kind: 'quote',
    ...(quote.acceptance ? { acceptance: { signerName: quote.acceptance.signerName, signedAt: quote.acceptance.signedAt } } : {}),
    ...(quote.invoiceId ? { invoiceId: quote.invoiceId } : {}),
  };
}
