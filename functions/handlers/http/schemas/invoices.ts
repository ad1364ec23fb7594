import * as z from 'zod';
import {
  CORRECTION_METHODS,
  CORRECTION_REASONS,
  CREDIT_SETTLES,
  INVOICE_STATUSES,
  INVOICE_TYPES,
  InvoiceList,
  PAYMENT_STATUSES,
} from '../../../domain/invoicing';
import { STAGE_ID_PATTERN } from '../../../domain/kernel';
import { RecapitulativeSelection } from '../../../domain/sales';
import { ClientSnapshotView, ListQuery, Meta, currencyCode, decimalString, isoDate, optionalText, page, resourceId } from './common';
import { LineBody } from './lines';

/** The HTTP contract of invoices and the invoice pipeline (docs/openapi.json). Bodies are strict. */

const clientIds = {
  companyId: resourceId('cmp').optional(),
  contactId: resourceId('con').optional(),
};
const lines = z.array(LineBody).max(500, 'at most 500 lines');

const FromRef = z
  .strictObject({ ...clientIds, dealId: resourceId('deal').optional(), quoteId: resourceId('quo').optional() })
  .refine((from) => Object.values(from).filter(Boolean).length === 1, { message: 'give exactly one of companyId, contactId, dealId, quoteId' });

const ONLY_FROM_SCRATCH = ['companyId', 'contactId', 'dealId', 'lines'] as const;

export const InvoiceCreate = z
  .strictObject({
    type: z.enum(INVOICE_TYPES).optional(),
    ...clientIds,
    dealId: resourceId('deal').optional(),
    currency: currencyCode.optional(),
    lines: lines.optional(),
    dueDate: isoDate.optional(),
    notes: optionalText(2000),
    responsibleUserId: z.string().min(1).max(64).optional(),
    from: FromRef.optional(),
    /** With from.quoteId: make another invoice even when the quote already has one. */
    allowDuplicate: z.boolean().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.allowDuplicate !== undefined && !body.from?.quoteId) {
      ctx.addIssue({ code: 'custom', path: ['allowDuplicate'], message: 'only with from.quoteId' });
    }
    if (body.companyId && body.contactId) {
      ctx.addIssue({ code: 'custom', path: ['contactId'], message: 'give companyId or contactId, not both' });
    }
    if (body.from) {
      for (const key of ONLY_FROM_SCRATCH) {
        if (body[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'cannot be combined with from (it comes from the source)' });
      }
    } else if (!body.currency) {
      ctx.addIssue({ code: 'custom', path: ['currency'], message: 'required' });
    }
  });

export const InvoicePatchBody = z
  .strictObject({
    type: z.enum(INVOICE_TYPES).optional(),
    ...clientIds,
    dealId: resourceId('deal').nullable().optional(),
    currency: currencyCode.optional(),
    lines: lines.optional(),
    dueDate: isoDate.nullable().optional(),
    notes: optionalText(2000).nullable(),
    responsibleUserId: z.string().min(1).max(64).optional(),
    version: z.number().int().min(1).optional(),
  })
  .refine((body) => !(body.companyId && body.contactId), { path: ['contactId'], message: 'give companyId or contactId, not both' });

export const StageMoveBody = z.strictObject({
  // any text: an unknown one (e.g. "sent") gets the 422 that lists the tenant's stages
  stage: z.string().trim().min(1, 'must be a stage id, e.g. SENT').max(32),
  version: z.number().int().min(1).optional(),
  issueDate: isoDate.optional(),
});

export const InvoiceListQuery = ListQuery.extend({
  stage: z.string().regex(STAGE_ID_PATTERN, 'must be a stage id in upper case, e.g. SENT (GET /v1/pipelines/invoice lists them)').optional(),
  clientId: z
    .string()
    .regex(/^(cmp|con)_[0-9a-z]{26}$/, 'must be a cmp_ or con_ id')
    .optional(),
  dealId: resourceId('deal').optional(),
  number: z.string().trim().min(1).max(64).optional(),
  q: z.string().trim().min(1, 'must not be empty').max(100).optional(),
  issueDateFrom: isoDate.optional(),
  issueDateTo: isoDate.optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  sort: z.enum(InvoiceList.INVOICE_SORTS).optional(),
});

const Money = z.string();
const ClientView = ClientSnapshotView;
const LineView = z.object({
  productId: z.string().optional(),
  description: z.string(),
  quantity: z.string(),
  unitPrice: Money,
  taxRate: z.string(),
  discountPercent: z.string().optional(),
  withholdingRate: z.string().optional(),
  unit: z.string().optional(),
  netAmount: Money,
  operationDate: z.string().optional().describe('A recapitulative invoice: the day of the operation the line bills (deal won, quote accepted)'),
  sourceId: z.string().optional().describe('A recapitulative invoice: the deal or quote the line comes from'),
});
const Breakdown = z.object({ rate: z.string(), base: Money, amount: Money });

export const InvoiceView = z.object({
  number: z.string().nullable(),
  series: z.string(),
  type: z.enum(INVOICE_TYPES),
  stage: z.string(),
  status: z.enum(INVOICE_STATUSES),
  client: ClientView.nullable(),
  lines: z.array(LineView),
  totals: z.object({ net: Money, tax: Money, withholding: Money, total: Money, taxBreakdown: z.array(Breakdown), withholdingBreakdown: z.array(Breakdown) }),
  currency: z.string(),
  issueDate: z.string().nullable(),
  dueDate: z.string().nullable(),
  notes: z.string().optional(),
  dealId: z.string().optional(),
  quoteId: z.string().optional(),
  source: z.object({ type: z.string(), id: z.string() }).optional(),
  recurringInvoiceId: z.string().optional().describe('The recurring invoice that made this one'),
  period: z.string().optional().describe('The period (occurrence date, YYYY-MM-DD) of the recurring invoice it was made for'),
  lateFeeFor: z.string().optional().describe('A late fee invoice: the overdue invoice it charges for'),
  responsibleUserId: z.string(),
  createdBy: z.string(),
  /** What the client pays: net + VAT - withholding (null on drafts and proformas). */
  amountPayable: Money.nullable(),
  amountPaid: Money.nullable(),
  amountCredited: Money.nullable(),
  /** amountPayable - active allocations - credit applied, never below 0. */
  balanceDue: Money.nullable(),
  paymentStatus: z.enum(PAYMENT_STATUSES).nullable(),
  paidAt: z.string().nullable(),
  /** Net + VAT: the EN 16931 (BT-112) / Veri*Factu invoice total, before withholding. */
  taxInclusiveTotal: Money,
  /** F1 invoice, F2 simplified, F3 replacing simplified ones, R1-R5 credit notes; null on drafts and proformas. */
  fiscalType: z.enum(['F1', 'F2', 'F3', 'R1', 'R2', 'R3', 'R4', 'R5']).nullable(),
  reason: z.enum(CORRECTION_REASONS).optional(),
  reasonText: z.string().optional(),
  method: z.enum(CORRECTION_METHODS).optional(),
  settle: z.enum(CREDIT_SETTLES).optional(),
  /** A credit note: the invoices it corrects. */
  corrects: z.array(z.object({ invoiceId: z.string(), number: z.string(), issueDate: z.string().nullable() })).optional(),
  /** A credit note: what each of its lines takes off the original's lines. */
  credits: z.array(z.object({ line: z.number().int(), quantity: z.string(), net: Money })).optional(),
  /** An issued credit note: its amount, the part applied to the original, refunded, settled outside, left as the client's credit. */
  credit: z.object({ amount: Money, applied: Money, refunded: Money, settledOutside: Money, unapplied: Money }).optional(),
  /** An original: the credit notes made against it (drafts reserve their amounts). */
  correctedBy: z
    .array(
      z.object({
        invoiceId: z.string(),
        number: z.string().nullable(),
        issueDate: z.string().nullable(),
        status: z.enum(INVOICE_STATUSES),
        lines: z.array(z.object({ line: z.number().int(), quantity: z.string(), net: Money })),
      }),
    )
    .optional(),
  convertedTo: z.string().optional(),
  convertedFrom: z.string().optional(),
  replacedBy: z.string().optional(),
  replaces: z.array(z.object({ invoiceId: z.string(), number: z.string().nullable(), issueDate: z.string().nullable() })).optional(),
  /** A recapitulative invoice (factura recapitulativa): the operations of one client in one month. */
  recapitulative: z.boolean().optional(),
  sources: z
    .array(z.object({ type: z.enum(['deal', 'quote']), id: z.string() }))
    .optional()
    .describe('A recapitulative invoice: the deals and quotes it groups (each now shows it as its invoice)'),
  ...Meta,
});
export const InvoicePage = page(InvoiceView);

// ---------------------------------------------------------------------------------------------------
// Corrections

const reason = z.enum(CORRECTION_REASONS);
const settle = z.enum(CREDIT_SETTLES);

export const CreditNoteCreate = z.strictObject({
  reason: reason.optional().describe('R1-R4 (R5 is given automatically when the original is a simplified invoice)'),
  reasonText: optionalText(500),
  method: z.enum(CORRECTION_METHODS).optional().describe('differences (default) or substitution'),
  full: z.boolean().optional().describe('credit everything that is left of the invoice'),
  lines: z
    .array(
      z.strictObject({
        line: z.number().int().min(0).describe('index of the line in the original (from 0)'),
        quantity: decimalString().optional(),
        amount: decimalString().optional().describe('a net amount to take off the line'),
      }),
    )
    .max(500)
    .optional(),
  settle: settle.optional().describe('what becomes of credit left over once the balance due is covered: credit (default), refund, out_of_band'),
});

export const CancelBody = z.strictObject({
  reason: z.string().trim().max(500).optional().describe('R1-R4, or a text'),
  reasonText: optionalText(500),
  settle: settle.optional().describe('required while payments are allocated to the invoice'),
});

export const ReplaceBody = z
  .strictObject({ companyId: resourceId('cmp').optional(), contactId: resourceId('con').optional() })
  .refine((b) => !!b.companyId !== !!b.contactId, { message: 'give a companyId or a contactId' });

/** At most this many operations in one recapitulative invoice (each is linked in the transaction that writes it). */
const MAX_RECAPITULATIVE_SOURCES = RecapitulativeSelection.MAX_SOURCES;

export const RecapitulativeCreate = z
  .strictObject({
    ...clientIds,
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a calendar month as YYYY-MM')
      .describe('The calendar month of the operations (YYYY-MM): deals won and quotes accepted in it'),
    dealIds: z
      .array(resourceId('deal'))
      .max(MAX_RECAPITULATIVE_SOURCES, `at most ${MAX_RECAPITULATIVE_SOURCES} operations`)
      .optional()
      .describe("Exactly these won deals (none named: all of the client's in the month without an invoice)"),
    quoteIds: z
      .array(resourceId('quo'))
      .max(MAX_RECAPITULATIVE_SOURCES, `at most ${MAX_RECAPITULATIVE_SOURCES} operations`)
      .optional()
      .describe("Exactly these accepted quotes (none named: all of the client's in the month without an invoice)"),
    dueDate: isoDate.optional().describe('The due date (required to issue it; a PATCH of the draft may set it later)'),
    notes: optionalText(2000),
  })
  .superRefine((b, ctx) => {
    if (!!b.companyId === !!b.contactId)
      ctx.addIssue({ code: 'custom', path: [b.companyId ? 'contactId' : 'companyId'], message: 'give a companyId or a contactId' });
    if ((b.dealIds?.length ?? 0) + (b.quoteIds?.length ?? 0) > MAX_RECAPITULATIVE_SOURCES)
      ctx.addIssue({ code: 'custom', path: ['dealIds'], message: `at most ${MAX_RECAPITULATIVE_SOURCES} operations in all` });
  });

export const CancelView = InvoiceView.extend({ creditNote: InvoiceView });
