import * as z from 'zod';
import { PAYMENT_METHODS } from '../../../domain/payments';
import { ListQuery, currencyCode, isoDate, page, resourceId } from './common';

/** The HTTP contract of payments, allocations, refunds, client balances and bank statement imports. Bodies are strict. */

/** A money amount as given: a decimal string (the domain checks > 0 and the currency's decimals: 422). */
const amount = z.string().regex(/^-?\d{1,15}(\.\d{1,6})?$/, 'must be a decimal string, e.g. "106.00"');
const clientId = z.string().regex(/^(cmp|con)_[0-9a-z]{26}$/, 'must be a cmp_ or con_ id');
const reference = z.string().trim().max(500, 'at most 500 characters').optional();
const externalId = z.string().trim().min(1, 'must not be empty').max(255, 'at most 255 characters').optional();
const method = z.enum(PAYMENT_METHODS);

export const PaymentCreate = z.strictObject({
  clientId,
  currency: currencyCode,
  amount,
  date: isoDate,
  method,
  reference,
  externalId,
  allocations: z
    .array(z.strictObject({ invoiceId: resourceId('inv'), amount }))
    .max(50)
    .optional(),
});

export const InvoicePaymentCreate = z.strictObject({
  amount,
  date: isoDate,
  method: method.optional(),
  reference,
  externalId,
});

export const AllocationCreate = z.strictObject({
  invoiceId: resourceId('inv'),
  amount,
  version: z.number().int().min(1).optional(),
});

export const ReversalQuery = z.strictObject({
  reason: z.string().trim().min(1).max(200).optional(),
  date: isoDate.optional(),
});

export const RefundCreate = z.strictObject({
  amount,
  date: isoDate,
  reference,
  version: z.number().int().min(1).optional(),
});

export const PaymentListQuery = ListQuery.extend({
  clientId: clientId.optional(),
  invoiceId: resourceId('inv').optional(),
  dateFrom: isoDate.optional(),
  dateTo: isoDate.optional(),
});

const Money = z.string();

export const PaymentView = z.object({
  id: z.string(),
  clientId: z.string(),
  currency: z.string(),
  amount: Money,
  date: z.string(),
  method,
  reference: z.string().nullable(),
  externalId: z.string().nullable(),
  origin: z.enum(['api', 'invoice', 'bank_statement', 'stripe']),
  allocated: Money,
  refunded: Money,
  /** Money not allocated nor refunded: the client's credit. */
  unapplied: Money,
  allocations: z.array(
    z.object({
      id: z.string(),
      invoiceId: z.string(),
      amount: Money,
      date: z.string(),
      fromCredit: z.boolean(),
      createdAt: z.string(),
      reversedAt: z.string().nullable(),
      reversal: z.object({ id: z.string(), date: z.string(), reason: z.string() }).nullable(),
    }),
  ),
  refunds: z.array(z.object({ id: z.string(), amount: Money, date: z.string(), reference: z.string().nullable(), createdAt: z.string() })),
  createdBy: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const PaymentPage = page(PaymentView);

export const BalanceView = z.object({
  data: z.array(
    z.object({
      currency: z.string(),
      invoiced: Money,
      paid: Money,
      credited: Money,
      balanceDue: Money,
      overdue: Money,
      unappliedCredit: Money,
      /** Credit (over-payments, later credit notes) already applied to invoices: the "saldo utilizado". */
      creditUsed: Money,
    }),
  ),
});

const columnName = z.string().trim().min(1).max(100);
export const BankImportBody = z.strictObject({
  csv: z.string().min(1, 'must not be empty'),
  dryRun: z.boolean().optional(),
  /** The statement's currency when it has no currency column (default: the tenant's default currency). */
  currency: currencyCode.optional(),
  mapping: z
    .strictObject({
      date: columnName.optional(),
      amount: columnName.optional(),
      debit: columnName.optional(),
      credit: columnName.optional(),
      reference: z.union([columnName, z.array(columnName).min(1).max(5)]).optional(),
      payerName: columnName.optional(),
      iban: columnName.optional(),
      currency: columnName.optional(),
      delimiter: z.enum([',', ';', '\t']).optional(),
      decimal: z.enum(['.', ',']).optional(),
      dateFormat: z.enum(['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY']).optional(),
    })
    .optional(),
});

/** With a text/csv body, the options ride in the query. */
export const BankImportQuery = z.strictObject({
  dryRun: z.enum(['true', 'false']).optional(),
  currency: currencyCode.optional(),
});

export const BankImportView = z.object({
  id: z.string(),
  dryRun: z.boolean(),
  rows: z.array(
    z.object({
      row: z.number().int(),
      date: z.string().nullable(),
      amount: Money.nullable(),
      reference: z.string(),
      payerName: z.string().nullable(),
      status: z.enum(['matched', 'suggested', 'unmatched', 'duplicate']),
      invoiceIds: z.array(z.string()),
      paymentId: z.string().optional(),
      reason: z.string().optional(),
    }),
  ),
  summary: z.object({ matched: z.number().int(), suggested: z.number().int(), unmatched: z.number().int(), duplicate: z.number().int() }),
});
