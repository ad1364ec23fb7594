import * as z from 'zod';
import { Limits, Messages } from '../../../domain/delivery';
import { email, optionalText, phone } from './common';

const { unsafeCharacter } = Limits;

/** A header's text (a subject): no control characters, CR/LF, bidi overrides or zero-width characters. */
export const headerText = (max: number) =>
  optionalText(max).refine((v) => v === undefined || !unsafeCharacter(v), { message: 'must not contain control, line-break, bidi or zero-width characters' });
/** A body's text: newlines and tabs allowed, other control, bidi and zero-width characters refused. */
export const bodyText = (max: number) =>
  optionalText(max).refine((v) => v === undefined || !unsafeCharacter(v, true), { message: 'must not contain control, bidi or zero-width characters' });
/** An SMS text with its link (about 60 characters) must fit two segments, like the automatic ones. */
export const fitsTwoSegments = (text: string) => Messages.smsSegments(`${text} ${'x'.repeat(60)}`).segments <= 2;

export const stageId = z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, 'must be a stage id such as SENT');
export const templateId = z.string().regex(/^(standard|tpl_[0-9a-z]{26})$/, 'must be "standard" or a tpl_ id');

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
    subject: headerText(200),
    message: bodyText(5000),
    templateId: templateId.optional(),
    allowExternalRecipient: z.boolean().optional().describe("Required (true) when `to` is not one of the client's own addresses; logged in the timeline"),
    sendAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 instant, e.g. 2027-01-31T09:00:00Z' })
      .optional()
      .describe('Send later, at this instant (202 with { scheduledSend: { id, sendAt } }); see GET /v1/invoices/{id}/scheduled-sends'),
  })
  .superRefine((v, ctx) => {
    if (v.channel === 'sms' && v.message && !fitsTwoSegments(v.message))
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'an SMS is at most two segments with its link: shorten the text' });
    if (v.to && v.channel === 'email' && !z.email().safeParse(v.to).success)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be an e-mail address for channel email' });
    if (v.to && v.channel === 'sms' && !phone.safeParse(v.to).success)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be a phone number for channel sms' });
  });

/** The answer to POST /v1/invoices/{id}/send with a sendAt (202): the scheduled send (GET /v1/invoices/{id}/scheduled-sends). */
export const ScheduledSendAccepted = z.object({ scheduledSend: z.object({ id: z.string(), sendAt: z.string(), status: z.string() }) });
