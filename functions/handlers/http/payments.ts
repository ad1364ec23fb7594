import { Invoice } from '../../domain/invoicing';
import { Allocation, BankImport, ClientBalance, Payment } from '../../domain/payments';
import { httpApi } from '../../shared/http/api';
import { callerActor, route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { paymentPorts } from '../../shared/wiring/payments';
import { defaultCurrency } from '../../shared/wiring/tenancy';
import {
  AllocationCreate,
  BalanceView,
  BankImportBody,
  BankImportQuery,
  BankImportView,
  InvoicePaymentCreate,
  PaymentCreate,
  PaymentListQuery,
  PaymentPage,
  PaymentView,
  RefundCreate,
  ReversalQuery,
} from './schemas/payments';

const balanceRoute = (kind: 'company' | 'contact') =>
  route({
    summary: `The ${kind}'s balance per currency: invoiced, paid, credited, balanceDue, overdue, unappliedCredit, creditUsed ("saldo utilizado")`,
    permission: 'payments:read',
    response: BalanceView,
    handler: async ({ params, caller }) => ClientBalance.of(paymentPorts(), { tenantId: caller.tenantId, clientId: params.id }),
  });

export const routes = {
  'POST /v1/payments': route({
    summary:
      "Record a client's payment, optionally allocated to invoices of that client and currency; what is not allocated stays unapplied (the client's credit). 409 with existingId for a known externalId",
    permission: 'payments:write',
    body: PaymentCreate,
    response: PaymentView,
    status: 201,
    errors: [409, 422],
    handler: async ({ body, caller }) => Payment.record(paymentPorts(), { tenantId: caller.tenantId, actor: callerActor(caller), ...body }),
  }),
  'GET /v1/payments': route({
    summary: 'List payments, newest payment date first: by client, by invoice (those allocated to it), by payment date range',
    permission: 'payments:read',
    query: PaymentListQuery,
    response: PaymentPage,
    handler: async ({ query, caller }) => {
      const { limit, cursor, ...filter } = query;
      return Payment.list(paymentPorts(), { tenantId: caller.tenantId, filter, page: { limit, cursor } });
    },
  }),
  'GET /v1/payments/{id}': route({
    summary: 'A payment with its allocations (reversed ones show reversedAt) and refunds',
    permission: 'payments:read',
    response: PaymentView,
    handler: async ({ params, caller }) => Payment.get(paymentPorts(), { tenantId: caller.tenantId, id: params.id }),
  }),
  'POST /v1/payments/{id}/allocations': route({
    summary:
      "Allocate unapplied money of a payment (or the unapplied credit of an issued credit note, by its inv_ id) to an open invoice of the same client and currency (422 with remaining when it exceeds the payment's unapplied or the invoice's balanceDue)",
    permission: 'payments:write',
    body: AllocationCreate,
    response: PaymentView,
    status: 201,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) =>
      // a credit note's credit (its id: inv_...) is a credit source like a payment's unapplied money
      params.id.startsWith('inv_')
        ? Invoice.view(
            await Invoice.applyCredit(paymentPorts(), {
              tenantId: caller.tenantId,
              actor: callerActor(caller),
              id: params.id,
              invoiceId: body.invoiceId,
              amount: body.amount,
              expectedVersion: ifMatch ?? body.version,
            }),
          )
        : Payment.allocate(paymentPorts(), {
            tenantId: caller.tenantId,
            actor: callerActor(caller),
            id: params.id,
            invoiceId: body.invoiceId,
            amount: body.amount,
            expectedVersion: ifMatch ?? body.version,
          }),
  }),
  'DELETE /v1/payments/{id}/allocations/{allocationId}': route({
    summary:
      'Reverse ONE allocation (bank return, wrong match; ?reason=&date=): a reversal record, the money unapplied again, the invoice owing it again (a paid invoice reopens); the other allocations are untouched',
    permission: 'payments:write',
    query: ReversalQuery,
    response: PaymentView,
    errors: [409, 422],
    handler: async ({ params, query, caller, ifMatch }) =>
      Allocation.reverse(paymentPorts(), {
        tenantId: caller.tenantId,
        actor: callerActor(caller),
        id: params.id,
        allocationId: params.allocationId,
        reason: query.reason,
        date: query.date,
        expectedVersion: ifMatch,
      }),
  }),
  'POST /v1/payments/{id}/refunds': route({
    summary: "Refund part of a payment's unapplied money to the client (422 with remaining beyond it)",
    permission: 'payments:write',
    body: RefundCreate,
    response: PaymentView,
    status: 201,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) =>
      Payment.refund(paymentPorts(), {
        tenantId: caller.tenantId,
        actor: callerActor(caller),
        id: params.id,
        amount: body.amount,
        date: body.date,
        reference: body.reference,
        expectedVersion: ifMatch ?? body.version,
      }),
  }),
  'POST /v1/payments/imports': route({
    summary:
      'Import a bank statement CSV (Content-Type text/csv, or JSON { csv, mapping?, dryRun?, currency? }): every row answered matched, suggested, unmatched or duplicate; matched rows become payments unless dryRun; the same rows again create nothing',
    permission: 'payments:write',
    body: BankImportBody,
    textBody: { mediaType: 'text/csv', field: 'csv' },
    query: BankImportQuery,
    maxBodyBytes: 5 * 1024 * 1024,
    // idempotent by itself, and more strongly than a key: every row is remembered by its fingerprint, so the
    // same rows again (same file, another key, an overlapping statement) answer `duplicate` and create nothing.
    // With an Idempotency-Key, the same statement again answers its first response (same id, same statuses);
    // a statement over 64 KiB runs without the key (its answer would not fit an idempotency record, 400 KB).
    idempotentUpToBytes: 64 * 1024,
    response: BankImportView,
    errors: [422],
    handler: async ({ body, query, caller }) =>
      BankImport.run(paymentPorts(), {
        tenantId: caller.tenantId,
        actor: callerActor(caller),
        ...body,
        currency: body.currency ?? query.currency,
        dryRun: body.dryRun ?? query.dryRun === 'true',
        defaultCurrency: await defaultCurrency(caller.tenantId),
      }),
  }),
  'POST /v1/invoices/{id}/payments': route({
    summary:
      "Record a payment of the invoice's client allocated to this invoice; what exceeds its balanceDue stays unapplied credit (the answer shows unapplied)",
    permission: 'payments:write',
    body: InvoicePaymentCreate,
    response: PaymentView,
    status: 201,
    errors: [409, 422],
    handler: async ({ params, body, caller }) =>
      Payment.recordForInvoice(paymentPorts(), { tenantId: caller.tenantId, actor: callerActor(caller), id: params.id, ...body }),
  }),
  'GET /v1/invoices/{id}/payments': route({
    summary: 'The payments allocated to an invoice (reversed allocations included, with reversedAt)',
    permission: 'payments:read',
    response: PaymentPage,
    handler: async ({ params, caller }) => Payment.ofInvoice(paymentPorts(), { tenantId: caller.tenantId, id: params.id }),
  }),
  'GET /v1/companies/{id}/balance': balanceRoute('company'),
  'GET /v1/contacts/{id}/balance': balanceRoute('contact'),
};

export const handler = httpApi(routes, httpDeps);
