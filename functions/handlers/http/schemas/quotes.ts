import * as z from 'zod';
import { ComputedLineView, Lines, TotalsView } from './priced-lines';
import { INVOICE_TYPES } from '../../../domain/invoicing';
import { ClientSnapshotView, ListQuery, Meta, currencyCode, email, isoDate, optionalText, resourceId, text } from './common';

const userId = z.string().max(64);

export const QuoteCreate = z.strictObject({
  companyId: resourceId('cmp').optional(),
  contactId: resourceId('con').optional(),
  /** Alone, copies the deal's client, lines, currency and responsible user; given fields win. */
  dealId: resourceId('deal').optional(),
  lines: Lines.optional(),
  currency: currencyCode.optional(),
  validUntil: isoDate.optional(),
  notes: optionalText(5000),
  responsibleUserId: userId.optional(),
});

export const QuotePatch = z.strictObject({
  companyId: resourceId('cmp').nullable().optional(),
  contactId: resourceId('con').nullable().optional(),
  dealId: resourceId('deal').nullable().optional(),
  lines: Lines.optional(),
  currency: currencyCode.optional(),
  validUntil: isoDate.nullable().optional(),
  notes: z.string().trim().min(1).max(5000).nullable().optional(),
  responsibleUserId: userId.nullable().optional(),
  version: z.number().int().min(1).optional(),
});

export const SendQuote = z.strictObject({
  /** 'email' (default): the quote PDF e-mailed with the link to its page; 'none': no e-mail (share the page's link yourself). */
  delivery: z.enum(['email', 'none']).default('email'),
  /** The recipient (default: the client's e-mail), subject and message of the delivery. */
  to: email.optional(),
  subject: text(200).optional(),
  message: text(5000).optional(),
  allowExternalRecipient: z.boolean().optional().describe("Required (true) when `to` is not the client's own address; logged in the timeline"),
  version: z.number().int().min(1).optional(),
});

/** POST /v1/quotes/{id}/invoice: what the invoice takes besides what it copies from the quote. */
export const InvoiceFromQuote = z.strictObject({
  /** Make another invoice even though the quote already has one (otherwise 409 naming it). */
  allowDuplicate: z.boolean().optional(),
  type: z.enum(INVOICE_TYPES).optional(),
  dueDate: isoDate.optional(),
  responsibleUserId: userId.optional(),
});

export const VersionOnly = z.strictObject({ version: z.number().int().min(1).optional() });

const ClientSnapshot = ClientSnapshotView;

export const Quote = z.object({
  number: z.string().nullable(),
  series: z.literal('quote'),
  status: z.enum(['draft', 'sent', 'accepted', 'declined', 'expired']),
  client: ClientSnapshot,
  companyId: z.string().optional(),
  contactId: z.string().optional(),
  dealId: z.string().optional(),
  lines: z.array(ComputedLineView),
  totals: TotalsView,
  currency: z.string(),
  validUntil: z.string().optional(),
  notes: z.string().optional(),
  responsibleUserId: z.string().optional(),
  issueDate: z.string().optional(),
  sentAt: z.string().optional(),
  sendCount: z.number().int().optional(),
  /** The client's page of the quote (once sent). */
  publicUrl: z.string().optional().describe("The quote page's link for the client (their credential: it accepts the quote); not shown to viewers"),
  previewUrl: z.string().optional().describe('The staff preview of the quote page: no accept form, records no view'),
  declinedAt: z.string().optional(),
  acceptedAt: z.string().optional(),
  /** The client's acceptance on the public page, with its evidence. */
  acceptance: z
    .object({
      signerName: z.string(),
      method: z.enum(['drawn', 'typed']),
      signatureKey: z.string().nullable(),
      signatureSha256: z.string().nullable(),
      signedAt: z.string(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      documentId: z.string().nullable(),
      documentSha256: z.string().nullable(),
    })
    .optional(),
  /** The invoice made from the quote. */
  invoiceId: z.string().optional(),
  /** After a send: the e-mail delivery run (waiting for the PDF render, then done or failed). */
  delivery: z.object({ runId: z.string().nullable(), status: z.enum(['running', 'waiting', 'done', 'failed']), error: z.string().optional() }).optional(),
  ...Meta,
});

export const QuoteListQuery = z.strictObject({
  ...ListQuery.shape,
  dealId: resourceId('deal').optional(),
  /** A company's or contact's id: the quotes made out to that client. */
  clientId: z
    .string()
    .regex(/^(cmp|con)_[0-9a-z]{26}$/, 'must be a cmp_ or con_ id')
    .optional(),
});
