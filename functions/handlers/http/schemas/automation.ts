/** Automation rules, their runs and the messages sent: the bodies and views of the automation routes. */
import * as z from 'zod';
import { Automation } from '../../../domain/delivery';
import { email, ListQuery, phone } from './common';
import { bodyText, fitsTwoSegments, headerText, stageId, templateId } from './delivery';

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
  external: z.boolean().optional().describe("Sent to an address outside the subject's client (allowed explicitly)"),
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

/** Wait before the action (at most a year in all); a delayed step of an invoice rule is skipped when the invoice left the rule's stage meanwhile. */
export const Delay = z
  .strictObject({
    days: z.number().int().min(0).max(366).optional(),
    hours: z.number().int().min(0).max(8784).optional(),
    minutes: z.number().int().min(0).max(527040).optional(),
  })
  .refine((d) => (d.days ?? 0) * 1440 + (d.hours ?? 0) * 60 + (d.minutes ?? 0) <= 527040, { message: 'at most a year in all' })
  .describe('Wait this long before the action, e.g. { "days": 3 }: remind the client 3 days after SENT if the invoice is not VIEWED by then');
const delay = { delay: Delay.optional() };

export const Action = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('create_document'), templateId: templateId.optional(), ...delay }),
  z.strictObject({
    type: z.literal('send_email'),
    subject: headerText(200),
    body: bodyText(5000),
    attach: z
      .union([
        z.enum(['document', 'none']),
        z
          .array(z.enum(['document', 'ubl']))
          .min(1)
          .max(2),
      ])
      .default('document')
      .describe('What the e-mail attaches: "document" (the PDF, default), "none", or a list of "document" and "ubl" (the EN 16931 UBL XML of the invoice)'),
    to: email.optional(),
    ...delay,
  }),
  z.strictObject({
    type: z.literal('send_sms'),
    text: bodyText(300).refine((t) => t === undefined || fitsTwoSegments(t), { message: 'an SMS is at most two segments with its link: shorten the text' }),
    to: phone.optional(),
    ...delay,
  }),
  z.strictObject({ type: z.literal('notify_responsible'), message: bodyText(1000), ...delay }),
  z.strictObject({ type: z.literal('move_to_stage'), stage: stageId, ...delay }),
  z.strictObject({ type: z.literal('create_invoice'), moveTo: stageId.optional(), dueInDays: z.number().int().min(0).max(365).optional(), ...delay }),
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
    allowExternalRecipient: z
      .boolean()
      .optional()
      .describe("Its send actions may name (`to`) an address other than the client's; each such message is logged in the timeline"),
    version: z.number().int().min(1).optional(),
  })
  .superRefine((rule, ctx) => {
    // a fixed recipient is outside the client of (almost) every subject: it needs the explicit flag
    rule.actions.forEach((action, i) => {
      if ((action.type === 'send_email' || action.type === 'send_sms') && action.to && !rule.allowExternalRecipient)
        ctx.addIssue({
          code: 'custom',
          path: ['actions', i, 'to'],
          message: 'a recipient other than the client needs allowExternalRecipient: true on the rule',
        });
    });
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
      const needsDocument =
        action.type === 'send_email' && (action.attach === 'document' || (Array.isArray(action.attach) && action.attach.includes('document')));
      if (needsDocument && !rule.actions.slice(0, i).some((a) => a.type === 'create_document')) {
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
  allowExternalRecipient: z.boolean().optional(),
  activeSince: z.string().optional().describe('The rule acts only on events that happened at or after this instant (when it was created or last changed)'),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
