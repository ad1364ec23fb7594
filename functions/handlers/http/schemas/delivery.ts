import * as z from 'zod';
import { Automation } from '../../../domain/delivery';
import { email, ListQuery, optionalText, phone } from './common';

const stageId = z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, 'must be a stage id such as SENT');
const templateId = z.string().regex(/^(standard|tpl_[0-9a-z]{26})$/, 'must be "standard" or a tpl_ id');

export const DocumentCreate = z.strictObject({
  templateId: templateId.optional(),
  format: z
    .enum(['pdf', 'facturx'])
    .default('pdf')
    .describe(
      'pdf (default), or facturx: a PDF/A-3 with the EN 16931 CII XML embedded as factur-x.xml (issued invoices and credit notes only: 409 for drafts and proformas)',
    ),
});

export const DocumentView = z.object({
  id: z.string(),
  status: z.enum(['pending', 'ready', 'failed']),
  subjectType: z.enum(['invoice', 'quote']),
  subjectId: z.string(),
  templateId: z.string(),
  format: z.enum(['pdf', 'facturx']),
  sha256: z.string().nullable(),
  size: z.number().nullable(),
  pages: z.number().nullable(),
  reason: z.string().optional(),
  pdfUrl: z.string().nullable(),
  publicUrl: z.string().optional().describe("The client's stable link (their credential); not shown to viewers"),
  previewUrl: z.string().describe('The staff preview of the same link: records no view, accepts nothing'),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const SendRequest = z
  .strictObject({
    channel: z.enum(['email', 'sms']),
    to: z.union([email, phone]).optional(),
    subject: optionalText(200),
    message: optionalText(5000),
    templateId: templateId.optional(),
    sendAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 instant, e.g. 2027-01-31T09:00:00Z' })
      .optional()
      .describe('Send later, at this instant (202 with { scheduledSend: { id, sendAt } }); see GET /v1/invoices/{id}/scheduled-sends'),
  })
  .superRefine((v, ctx) => {
    if (v.to && v.channel === 'email' && !z.email().safeParse(v.to).success)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be an e-mail address for channel email' });
    if (v.to && v.channel === 'sms' && !phone.safeParse(v.to).success)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be a phone number for channel sms' });
  });

export const RunView = z.object({
  id: z.string(),
  status: z.enum(['running', 'waiting', 'done', 'failed']),
  ruleId: z.string().optional(),
  subjectType: z.enum(['invoice', 'quote']).optional(),
  subjectId: z.string(),
  causeEventId: z.string().optional(),
  actor: z.string().optional(),
  steps: z.array(
    z.object({
      action: z.object({ type: z.string() }).loose(),
      status: z.string(),
      result: z.record(z.string(), z.string()).optional(),
      error: z.string().optional(),
    }),
  ),
  error: z.string().optional(),
  attempt: z.number().int().optional(),
  version: z.number().int().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export const RunListQuery = ListQuery.extend({
  status: z.enum(['running', 'waiting', 'done', 'failed']).optional(),
  subjectId: z.string().max(64).optional(),
});

export const MessageView = z.object({
  id: z.string(),
  subjectType: z.enum(['invoice', 'quote']),
  subjectId: z.string(),
  channel: z.enum(['email', 'sms']),
  to: z.string(),
  status: z.enum(['sending', 'sent', 'failed']),
  providerMessageId: z.string().optional().describe("The provider's id (SES, SNS) once sent"),
  rfcMessageId: z.string().optional().describe('The Message-ID header: the same on every (re)send of this e-mail'),
  failureReason: z.string().optional().describe('Why it failed (status failed)'),
  subject: z.string().optional(),
  documentId: z.string().optional(),
  runId: z.string().optional().describe('The automation run that sent it (its retry retries that run)'),
  attempts: z.number().int().optional(),
  leaseUntil: z.string().optional(),
  createdBy: z.string().optional(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const MessageListQuery = ListQuery.extend({
  status: z.enum(['sending', 'sent', 'failed']).optional(),
  subjectId: z.string().max(64).optional(),
  channel: z.enum(['email', 'sms']).optional(),
});

export const Action = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('create_document'), templateId: templateId.optional() }),
  z.strictObject({
    type: z.literal('send_email'),
    subject: optionalText(200),
    body: optionalText(5000),
    attach: z.enum(['document', 'none']).default('document'),
    to: email.optional(),
  }),
  z.strictObject({ type: z.literal('send_sms'), text: optionalText(300), to: phone.optional() }),
  z.strictObject({ type: z.literal('notify_responsible'), message: optionalText(1000) }),
  z.strictObject({ type: z.literal('move_to_stage'), stage: stageId }),
  z.strictObject({ type: z.literal('create_invoice'), moveTo: stageId.optional(), dueInDays: z.number().int().min(0).max(365).optional() }),
]);

export const Trigger = z.strictObject({ type: z.enum(['email_opened', 'link_opened']), moveTo: stageId });

export const RuleBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    entity: z.enum(['invoice', 'quote']),
    stage: stageId,
    enabled: z.boolean().default(true),
    actions: z.array(Action).max(10),
    triggers: z.array(Trigger).max(4).optional(),
    version: z.number().int().min(1).optional(),
  })
  .superRefine((rule, ctx) => {
    // quote rules react to the client's acceptance and make the invoice; invoice rules never make invoices
    if (rule.entity === 'quote') {
      if (!(Automation.QUOTE_RULE_STAGES as readonly string[]).includes(rule.stage))
        ctx.addIssue({ code: 'custom', path: ['stage'], message: `a quote rule's stage is one of ${Automation.QUOTE_RULE_STAGES.join(', ')}` });
      rule.actions.forEach((action, i) => {
        if (action.type !== 'create_invoice' && action.type !== 'notify_responsible')
          ctx.addIssue({ code: 'custom', path: ['actions', i, 'type'], message: "a quote rule's actions are create_invoice and notify_responsible" });
      });
      if (rule.triggers?.length) ctx.addIssue({ code: 'custom', path: ['triggers'], message: 'quote rules have no view triggers' });
      return;
    }
    rule.actions.forEach((action, i) => {
      if (action.type === 'create_invoice')
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'type'], message: 'create_invoice belongs to quote rules (entity quote, stage ACCEPTED)' });
    });
    rule.actions.forEach((action, i) => {
      if (action.type === 'send_email' && action.attach === 'document' && !rule.actions.slice(0, i).some((a) => a.type === 'create_document')) {
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'attach'], message: 'attach "document" needs a create_document action before it' });
      }
      if (action.type === 'send_sms' && !rule.actions.slice(0, i).some((a) => a.type === 'create_document')) {
        ctx.addIssue({ code: 'custom', path: ['actions', i], message: 'send_sms links to a document: put a create_document action before it' });
      }
    });
  });

export const RuleView = z.object({
  id: z.string(),
  name: z.string(),
  entity: z.enum(['invoice', 'quote']),
  stage: z.string(),
  enabled: z.boolean(),
  actions: z.array(z.object({ type: z.string() }).loose()),
  triggers: z.array(Trigger).optional(),
  activeSince: z.string().optional().describe('The rule acts only on events that happened at or after this instant (when it was created or last changed)'),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
