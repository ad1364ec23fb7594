import { Corrections, Invoice, Recapitulative } from '../../domain/invoicing';
import { timelineView } from '../../domain/kernel';
import { httpApi } from '../../shared/http/api';
import { callerActor, route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { invoicePorts, invoicePortsAllowingDuplicates } from '../../shared/wiring/invoicing';
import { ListQuery } from './schemas/common';
import { AllocationCreate } from './schemas/payments';
import {
  CancelBody,
  CancelView,
  CreditNoteCreate,
  InvoiceCreate,
  InvoiceListQuery,
  InvoicePage,
  InvoicePatchBody,
  InvoiceView,
  RecapitulativeCreate,
  ReplaceBody,
  StageMoveBody,
} from './schemas/invoices';
import { TimelinePage } from './schemas/timeline';

export const routes = {
  'POST /v1/invoices': route({
    summary: 'Create a draft invoice: from scratch ({ companyId | contactId, currency, lines, ... }) or { from: { companyId | contactId } }',
    permission: 'invoices:write',
    body: InvoiceCreate,
    response: InvoiceView,
    status: 201,
    errors: [422],
    handler: async ({ body, caller }) => {
      const { allowDuplicate, ...input } = body;
      const ports = allowDuplicate ? invoicePortsAllowingDuplicates() : invoicePorts();
      return Invoice.view(await Invoice.create(ports, { tenantId: caller.tenantId, actor: callerActor(caller), input }));
    },
  }),
  'POST /v1/invoices/recapitulative': route({
    summary:
      'Create a draft recapitulative invoice (factura recapitulativa) for one client and one calendar month: its won deals and accepted quotes without an invoice (or exactly those named), each line with its operationDate and sourceId; the sources are linked to it in the same write and cannot be invoiced again. Sources of another client, another month or already invoiced are refused by name (422 / 409, e.g. dealIds[1]); none to invoice, 422',
    permission: 'invoices:write',
    body: RecapitulativeCreate,
    response: InvoiceView,
    status: 201,
    errors: [409, 422],
    handler: async ({ body, caller }) =>
      Invoice.view(await Recapitulative.create(invoicePorts(), { tenantId: caller.tenantId, actor: callerActor(caller), input: body })),
  }),
  'GET /v1/invoices': route({
    summary:
      'List invoices: filter by stage, clientId, dealId, number (exact, or prefix with a trailing *), q (number or client name prefix), issue date range, overdue; sort by issueDate or total',
    permission: 'invoices:read',
    query: InvoiceListQuery,
    response: InvoicePage,
    handler: async ({ query, caller }) => {
      const { limit, cursor, ...filters } = query;
      const result = await Invoice.list(invoicePorts(), { tenantId: caller.tenantId, filters, page: { limit, cursor } });
      return { data: result.data.map(Invoice.view), nextCursor: result.nextCursor };
    },
  }),
  'GET /v1/invoices/{id}': route({
    summary: 'Get an invoice',
    permission: 'invoices:read',
    response: InvoiceView,
    handler: async ({ params, caller }) => Invoice.view(await Invoice.get(invoicePorts(), { tenantId: caller.tenantId, id: params.id })),
  }),
  'PATCH /v1/invoices/{id}': route({
    summary: 'Edit a draft (an issued invoice keeps its client, lines and amounts: 409; only dueDate, dealId and responsibleUserId change)',
    permission: 'invoices:write',
    body: InvoicePatchBody,
    response: InvoiceView,
    errors: [422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const { version, ...changes } = body;
      return Invoice.view(
        await Invoice.update(invoicePorts(), {
          tenantId: caller.tenantId,
          id: params.id,
          actor: callerActor(caller),
          changes,
          expectedVersion: ifMatch ?? version,
        }),
      );
    },
  }),
  'DELETE /v1/invoices/{id}': route({
    summary: 'Delete a draft (a draft credit note releases what it reserved of its original); an issued document is never deleted: 409',
    permission: 'invoices:write',
    status: 204,
    errors: [409],
    handler: async ({ params, caller, ifMatch }) => {
      await Corrections.remove(invoicePorts(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller), expectedVersion: ifMatch });
    },
  }),
  'POST /v1/invoices/{id}/credit-notes': route({
    summary:
      'Make a draft credit note (factura rectificativa) against an issued invoice: full or by lines (quantity or net amount per original line), reason R1-R4 (R5 for a simplified original); issuing it applies it to the balance due, the rest per settle. 422 with remaining beyond what is left',
    permission: 'invoices:write',
    body: CreditNoteCreate,
    response: InvoiceView,
    status: 201,
    errors: [409, 422],
    handler: async ({ params, body, caller }) =>
      Invoice.view(await Corrections.createCreditNote(invoicePorts(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller), input: body })),
  }),
  'POST /v1/invoices/{id}/allocations': route({
    summary:
      "Apply part of an issued credit note's unapplied credit to an open invoice of the same client and currency (counts as creditUsed; 422 with remaining beyond the note's credit or the invoice's balanceDue)",
    permission: 'invoices:write',
    body: AllocationCreate,
    response: InvoiceView,
    status: 201,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) =>
      Invoice.view(
        await Corrections.applyCredit(invoicePorts(), {
          tenantId: caller.tenantId,
          actor: callerActor(caller),
          id: params.id,
          invoiceId: body.invoiceId,
          amount: body.amount,
          expectedVersion: ifMatch ?? body.version,
        }),
      ),
  }),
  'POST /v1/invoices/{id}/convert': route({
    summary:
      "Convert an issued proforma into an invoice (F1, the invoice series' next number), linked both ways (convertedTo, convertedFrom); a second call answers 409 with the invoice's id (invoiceId)",
    permission: 'invoices:write',
    response: InvoiceView,
    status: 201,
    errors: [409, 422],
    handler: async ({ params, caller }) =>
      Invoice.view(await Corrections.convert(invoicePorts(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller) })),
  }),
  'POST /v1/invoices/{id}/replace': route({
    summary:
      'Replace an issued simplified invoice (F2) by a full invoice (F3) for a client ({ companyId | contactId }), linked both ways (replacedBy, replaces); a second call answers 409 with its id',
    permission: 'invoices:write',
    body: ReplaceBody,
    response: InvoiceView,
    status: 201,
    errors: [409, 422],
    handler: async ({ params, body, caller }) =>
      Invoice.view(await Corrections.replace(invoicePorts(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller), client: body })),
  }),
  'POST /v1/invoices/{id}/cancel': route({
    summary:
      'Cancel an issued invoice: a full credit note is issued and the invoice moves to CANCELLED (409 while payments are allocated to it unless settle says what becomes of that money); the quote it was made from, or the deals and quotes a recapitulative invoice grouped, are freed in the same write (invoiceId removed where it still names it) and can be invoiced again',
    permission: 'invoices:write',
    body: CancelBody,
    response: CancelView,
    errors: [409, 422],
    handler: async ({ params, body, caller }) => {
      const { invoice, creditNote } = await Corrections.cancel(invoicePorts(), {
        tenantId: caller.tenantId,
        id: params.id,
        actor: callerActor(caller),
        input: body,
      });
      return { ...Invoice.view(invoice), creditNote: Invoice.view(creditNote) };
    },
  }),
  'POST /v1/invoices/{id}/stage': route({
    summary: 'Move an invoice to a stage (422 lists every missing required field; leaving the first stage issues it: number and issue date)',
    permission: 'invoices:write',
    body: StageMoveBody,
    response: InvoiceView,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) =>
      Invoice.view(
        await Invoice.moveToStage(invoicePorts(), {
          tenantId: caller.tenantId,
          id: params.id,
          to: body.stage,
          actor: callerActor(caller),
          expectedVersion: ifMatch ?? body.version,
          issueDate: body.issueDate,
        }),
      ),
  }),
  'GET /v1/invoices/{id}/timeline': route({
    summary: "The invoice's timeline, oldest first: creation, edits, stage moves (who, when, from, to), documents, messages, views, payments",
    permission: 'invoices:read',
    query: ListQuery,
    response: TimelinePage,
    handler: async ({ params, query, caller }) => {
      const result = await Invoice.timeline(invoicePorts(), { tenantId: caller.tenantId, id: params.id, page: query });
      return { data: result.data.map(timelineView), nextCursor: result.nextCursor };
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
