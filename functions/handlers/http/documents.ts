import * as z from 'zod';
import { Delivery, Limits, type Action } from '../../domain/delivery';
import { BUILTIN_TEMPLATE_ID, Document, PublicLink } from '../../domain/documents';
import { Conflict, newId, NotFound, nowIso, phoneProblem, RuleViolation } from '../../domain/kernel';
import { httpApi } from '../../shared/http/api';
import { callerActor, documentResponses, route, type Caller } from '../../shared/http/route';
import { ScheduledSends } from '../../domain/scheduling';
import { scheduledSendRoutesPorts } from '../../shared/wiring/scheduling';
import { Invoice } from '../../domain/invoicing';
import { deliveryPorts } from '../../shared/wiring/delivery';
import { invoicePorts } from '../../shared/wiring/invoicing';
import { documents, templatesRepo } from '../../shared/wiring/documents';
import { httpDeps } from '../../shared/wiring/http';
import { documentView } from './document-view';
import { RunView } from './schemas/automation';
import { DocumentCreate, DocumentView, ScheduledSendAccepted, SendRequest } from './schemas/delivery';

async function invoiceOf(caller: Caller, id: string) {
  const subject = await deliveryPorts().subjects.get(caller.tenantId, 'invoice', id);
  if (!subject) throw new NotFound('invoice');
  return subject;
}

/** A tenant template must exist and print invoices; the built-in one always does. */
async function checkTemplate(caller: Caller, templateId: string | undefined) {
  if (!templateId || templateId === BUILTIN_TEMPLATE_ID) return;
  const template = await templatesRepo().get(caller.tenantId, templateId);
  if (!template || template.kind === 'quote') {
    throw new RuleViolation(template ? 'that template prints quotes, not invoices' : 'no such template', [
      { field: 'templateId', message: template ? 'prints quotes' : 'no such template' },
    ]);
  }
}

export const routes = {
  'POST /v1/invoices/{id}/documents': route({
    summary:
      'Render the invoice to a PDF (asynchronously: the document starts pending); format facturx: a PDF/A-3 with the EN 16931 CII XML embedded (409 for drafts and proformas)',
    permission: 'documents:write',
    body: DocumentCreate,
    status: 202,
    errors: [409, 422],
    handler: async ({ caller, params, body }) => {
      await invoiceOf(caller, params.id);
      await checkTemplate(caller, body.templateId);
      if (body.format === 'facturx') {
        // refused now rather than failed later: a draft or proforma has no e-invoice (the engine itself stays
        // out of this function's bundle: the renderer builds the XML and fails the document on missing data)
        const invoice = await Invoice.get(invoicePorts(), { tenantId: caller.tenantId, id: params.id });
        if (invoice.type === 'proforma')
          throw new Conflict('a proforma is not an invoice: it has no Factur-X document', [{ field: 'format', message: 'proforma' }]);
        if (!invoice.number || invoice.status === 'draft')
          throw new Conflict('a draft has no Factur-X document: issue it first', [{ field: 'format', message: 'draft' }]);
      }
      const { doc, link } = Document.prepare({
        tenantId: caller.tenantId,
        id: newId('document'),
        subjectType: 'invoice',
        subjectId: params.id,
        templateId: body.templateId,
        format: body.format,
        createdBy: caller.userId,
        now: nowIso(),
      });
      await documents().documents.request(doc, link);
      return documentView(doc, caller);
    },
  }),
  'GET /v1/invoices/{id}/documents': route({
    summary: 'Every document rendered for the invoice, oldest first',
    permission: 'documents:read',
    handler: async ({ caller, params }) => {
      await invoiceOf(caller, params.id);
      const docs = await documents().documents.listForSubject(caller.tenantId, params.id);
      return { data: await Promise.all(docs.map((doc) => documentView(doc, caller))), nextCursor: null };
    },
  }),
  'GET /v1/documents/{id}': route({
    summary: 'A document, with a presigned PDF URL (minutes) and its stable public URL',
    permission: 'documents:read',
    handler: async ({ caller, params }) => {
      const doc = await documents().documents.get(caller.tenantId, params.id);
      if (!doc) throw new NotFound('document');
      return documentView(doc, caller);
    },
  }),
  'DELETE /v1/documents/{id}/public-link': route({
    summary: "Revoke the document's public link: it answers 404 from now on, like an unknown one (the document itself stays)",
    permission: 'documents:write',
    status: 204,
    handler: async ({ caller, params }) => {
      const doc = await documents().documents.get(caller.tenantId, params.id);
      if (!doc) throw new NotFound('document');
      await documents().links.revoke(PublicLink.idOf(doc.token));
    },
  }),
  'DELETE /v1/invoices/{id}/public-links': route({
    summary: "Revoke every public link of the invoice at once (each document's): they answer 404 from now on; the documents stay",
    permission: 'documents:write',
    status: 204,
    handler: async ({ caller, params }) => {
      await invoiceOf(caller, params.id);
      await documents().links.revokeAll(caller.tenantId, params.id);
    },
  }),
  'POST /v1/invoices/{id}/send': route({
    summary: 'Send the invoice by e-mail (PDF attached) or SMS (public link); renders a document first when none is ready',
    permission: 'messages:write',
    body: SendRequest,
    status: 202,
    errors: [422, 429],
    handler: async ({ caller, params, body }) => {
      const subject = await invoiceOf(caller, params.id);
      await checkTemplate(caller, body.templateId);
      const to = body.to ?? (body.channel === 'email' ? subject.client.email : subject.client.phone);
      if (!to) {
        throw new RuleViolation(`the client has no ${body.channel === 'email' ? 'e-mail address' : 'phone number'}; give one in "to"`, [
          { field: body.channel === 'email' ? 'client.email' : 'client.phone', message: 'required to send' },
        ]);
      }
      if (body.channel === 'sms') {
        const problem = phoneProblem(to);
        if (problem) throw new RuleViolation(`cannot send an SMS to "${to}": it ${problem}`, [{ field: body.to ? 'to' : 'client.phone', message: problem }]);
      }
      if (!subject.number) {
        throw new RuleViolation('only an issued invoice can be sent: move it out of NEW first', [{ field: 'stage', message: 'the invoice is not issued yet' }]);
      }
      if (body.sendAt) {
        // a recipient outside the client needs the flag now; the quota is counted when it goes out
        if (!Limits.isClientAddress(subject.client, body.channel, to) && !body.allowExternalRecipient) {
          await Delivery.checkSend(deliveryPorts(), { tenantId: caller.tenantId, channel: body.channel, to, client: subject.client });
        }
        const { sendAt, ...rest } = body;
        const scheduled = await ScheduledSends.schedule(scheduledSendRoutesPorts(), {
          tenantId: caller.tenantId,
          actor: callerActor(caller),
          invoiceId: params.id,
          sendAt,
          ...rest,
          to: body.to,
        });
        return { scheduledSend: { id: scheduled.id, sendAt: scheduled.sendAt, status: scheduled.status } };
      }
      await Delivery.checkSend(deliveryPorts(), {
        tenantId: caller.tenantId,
        channel: body.channel,
        to,
        client: subject.client,
        allowExternalRecipient: body.allowExternalRecipient,
      });
      const ready = !body.templateId ? await documents().documents.latestReady(caller.tenantId, params.id) : null;
      const send: Action =
        body.channel === 'email'
          ? { type: 'send_email', to, subject: body.subject, body: body.message, attach: 'document' }
          : { type: 'send_sms', to, text: body.message };
      const result = await Delivery.deliverNow(deliveryPorts(), {
        tenantId: caller.tenantId,
        subjectType: 'invoice',
        subjectId: params.id,
        actor: caller.userId,
        send,
        templateId: body.templateId,
        readyDocumentId: ready?.id,
        causeEventId: newId('event'),
        allowExternalRecipient: body.allowExternalRecipient,
      });
      return { id: result.id, status: result.status, subjectId: result.subjectId, steps: result.steps, error: result.error };
    },
  }),
};

// the answers' schemas, for the OpenAPI document only: left out of the function's bundle (documentResponses)
DOCS: documentResponses(routes, {
  'POST /v1/invoices/{id}/documents': DocumentView,
  'GET /v1/invoices/{id}/documents': z.object({ data: z.array(DocumentView), nextCursor: z.null() }),
  'GET /v1/documents/{id}': DocumentView,
  'POST /v1/invoices/{id}/send': z.union([RunView, ScheduledSendAccepted]),
});

export const handler = httpApi(routes, httpDeps);
