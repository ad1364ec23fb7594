import {
  derivedId,
  documentForStep,
  newRun,
  type Action,
  invoiceSmsText,
  renderPlaceholders,
  type AutomationRun,
  type RunStep,
} from './automation';
import { BUILTIN_TEMPLATE_ID, documentKey, newPublicToken, type DocumentRecord, type MessageRecord, type PublicLink } from '../documents/document';
import { DeliveryRejected, RuleViolation, Unavailable } from '../kernel/errors';
import type { Mailer, ObjectStorage, SmsSender } from '../kernel/ports';

/**
 * Running automation steps with exactly-once effects. Every side effect has an id derived from
 * its cause (run id + step index): a document request and a message claim are conditional writes,
 * so a redelivered event or a resumed run finds what was already done and does not do it again.
 */
export interface DeliverySubject {
  type: 'invoice' | 'quote';
  tenantId: string;
  id: string;
  number: string | null;
  stage?: string;
  currency: string;
  total: string;
  dueDate?: string | null;
  client: { name: string; legalName?: string; email?: string; phone?: string };
  responsibleUserId?: string;
}

export interface DeliveryPorts {
  now(): string;
  publicBaseUrl: string;
  mailFrom: string;
  subjects: { get(tenantId: string, type: 'invoice' | 'quote', id: string): Promise<DeliverySubject | null> };
  tenants: { get(tenantId: string): Promise<{ name: string; settings?: { senderName?: string; replyTo?: string; notifyEmail?: string; smsSenderId?: string } } | null> };
  /** The e-mail address of a user of the tenant (the responsible employee), when known. */
  users: { emailOf(tenantId: string, userId: string): Promise<string | undefined> };
  runs: {
    create(run: AutomationRun): Promise<'created' | 'exists'>;
    get(tenantId: string, id: string): Promise<AutomationRun | null>;
    /** Saves the run if nobody saved it since it was read (version check); returns the saved run. */
    save(run: AutomationRun): Promise<AutomationRun>;
  };
  documents: {
    /** Document + its public link + the document.requested event, in one transaction; idempotent by id. */
    request(doc: DocumentRecord, link: PublicLink): Promise<'created' | 'exists'>;
    get(tenantId: string, id: string): Promise<DocumentRecord | null>;
  };
  messages: {
    /** Conditional put of the message in status `sending`: false when it already exists. */
    claim(message: MessageRecord): Promise<{ claimed: true } | { claimed: false; existing: MessageRecord }>;
    /** Status sent + provider id + timeline entry + message.sent event, in one transaction. */
    markSent(message: MessageRecord, providerMessageId: string): Promise<void>;
    markFailed(message: MessageRecord, error: string): Promise<void>;
    /** Deletes a claim whose send never reached the provider, so a retry may claim it again. */
    release(message: MessageRecord): Promise<void>;
  };
  /** Moves the invoice to `to`; does nothing when it is already there. */
  stages: { move(tenantId: string, invoiceId: string, to: string, actor: string): Promise<void> };
  storage: ObjectStorage;
  mailer: Mailer;
  sms: SmsSender;
}

/** A document's public link works this long (an invoice is paid, disputed or audited within a year). */
export const PUBLIC_LINK_LIFETIME_DAYS = 400;

export function newDocument(input: {
  tenantId: string; id: string; subjectType: 'invoice' | 'quote'; subjectId: string; templateId?: string;
  createdBy: string; cause?: DocumentRecord['cause']; now: string;
}): { doc: DocumentRecord; link: PublicLink } {
  const token = newPublicToken();
  const doc: DocumentRecord = {
    tenantId: input.tenantId,
    id: input.id,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    templateId: input.templateId ?? BUILTIN_TEMPLATE_ID,
    status: 'pending',
    s3Key: documentKey(input.tenantId, input.subjectType, input.subjectId, input.id),
    token,
    createdBy: input.createdBy,
    cause: input.cause,
    version: 1,
    createdAt: input.now,
    updatedAt: input.now,
  };
  const link: PublicLink = {
    token, tenantId: input.tenantId, subjectType: input.subjectType, subjectId: input.subjectId, documentId: input.id, createdAt: input.now,
    expiresAt: new Date(Date.parse(input.now) + PUBLIC_LINK_LIFETIME_DAYS * 86_400_000).toISOString(),
  };
  return { doc, link };
}

const label = (s: DeliverySubject) => (s.type === 'invoice' ? 'Invoice' : 'Quote');

export function publicUrl(ports: Pick<DeliveryPorts, 'publicBaseUrl'>, token: string): string {
  return `${ports.publicBaseUrl.replace(/\/$/, '')}/p/${token}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The e-mail to the client: text and HTML, the public link, and the open pixel. */
export function invoiceEmail(input: {
  subject: DeliverySubject; sellerName: string; token: string; baseUrl: string; customSubject?: string; customBody?: string;
}) {
  const { subject: s } = input;
  const link = `${input.baseUrl.replace(/\/$/, '')}/p/${input.token}`;
  const values = { number: s.number ?? '', total: `${s.total} ${s.currency}`, seller: input.sellerName, client: s.client.name, dueDate: s.dueDate ?? '', link };
  const title = renderPlaceholders(input.customSubject ?? `${label(s)} ${s.number ?? ''} from ${input.sellerName}`.replace(/\s+/g, ' '), values);
  const body = renderPlaceholders(
    input.customBody ??
      `Hello ${s.client.name},\n\nplease find attached ${label(s).toLowerCase()} ${s.number ?? ''} for ${s.total} ${s.currency}${s.dueDate ? `, due on ${s.dueDate}` : ''}.\n\nYou can also view it online: {link}\n\nKind regards,\n${input.sellerName}`,
    values,
  );
  const html = `<!doctype html><html><body style="font-family:Arial,sans-serif;color:#1f2937">${escapeHtml(body)
    .split('\n')
    .map((l) => (l ? `<p style="margin:0 0 8px">${l.replace(escapeHtml(link), `<a href="${link}">${escapeHtml(link)}</a>`)}</p>` : ''))
    .join('')}<img src="${link}/open.gif" width="1" height="1" alt="" style="display:block;border:0"></body></html>`;
  return { subject: title, text: body, html };
}

async function subjectOrFail(ports: DeliveryPorts, run: AutomationRun): Promise<DeliverySubject> {
  const subject = await ports.subjects.get(run.tenantId, run.subjectType, run.subjectId);
  if (!subject) throw new RuleViolation(`${run.subjectType} ${run.subjectId} no longer exists`);
  return subject;
}

async function sendStep(ports: DeliveryPorts, run: AutomationRun, index: number, step: RunStep): Promise<'done' | 'failed'> {
  const action = step.action as Extract<RunStep['action'], { type: 'send_email' | 'send_sms' | 'notify_responsible' }>;
  const subject = await subjectOrFail(ports, run);
  const tenant = await ports.tenants.get(run.tenantId);
  const sellerName = tenant?.settings?.senderName ?? tenant?.name ?? 'Your supplier';
  const documentId = documentForStep(run, index) ?? step.result?.documentId;
  const doc = documentId ? await ports.documents.get(run.tenantId, documentId) : null;
  const channel = action.type === 'send_sms' ? 'sms' : 'email';
  // The responsible employee answers the client's replies and gets the notifications.
  const responsibleEmail = subject.responsibleUserId ? await ports.users.emailOf(run.tenantId, subject.responsibleUserId) : undefined;
  const to = action.type === 'notify_responsible'
    ? responsibleEmail ?? tenant?.settings?.notifyEmail
    : ('to' in action && action.to) || (channel === 'sms' ? subject.client.phone : subject.client.email);
  if (!to) {
    step.error = channel === 'sms' ? 'the client has no phone number' : action.type === 'notify_responsible' ? 'the responsible user has no known e-mail and no notification address is configured' : 'the client has no e-mail address';
    return 'failed';
  }
  const messageId = derivedId('message', run.id, String(index));
  const now = ports.now();
  const base: MessageRecord = {
    tenantId: run.tenantId, id: messageId, subjectType: run.subjectType, subjectId: run.subjectId, channel, to,
    status: 'sending', documentId: doc?.id, createdBy: run.actor, version: 1, createdAt: now, updatedAt: now,
  };
  let send: () => Promise<{ messageId: string }>;
  if (channel === 'sms') {
    if (!doc) { step.error = 'no document to link to'; return 'failed'; }
    const text = invoiceSmsText({
      sellerName, number: subject.number ?? '', total: subject.total, currency: subject.currency, dueDate: subject.dueDate,
      url: publicUrl(ports, doc.token), custom: (action as { text?: string }).text,
    });
    send = () => ports.sms.send({ to, text, senderId: tenant?.settings?.smsSenderId });
  } else if (action.type === 'notify_responsible') {
    base.subject = `${label(subject)} ${subject.number ?? subject.id} is now ${subject.stage ?? ''}`;
    send = () => ports.mailer.send({
      from: ports.mailFrom, to, subject: base.subject!,
      text: `${action.message ?? ''}\n${label(subject)} ${subject.number ?? subject.id} for ${subject.client.name} (${subject.total} ${subject.currency}) entered stage ${subject.stage}.`.trim(),
    });
  } else {
    const mailAction = action as Extract<RunStep['action'], { type: 'send_email' }>;
    if (!doc && mailAction.attach !== 'none') { step.error = 'no document to attach'; return 'failed'; }
    if (doc && doc.status !== 'ready') { step.error = `the document is ${doc.status}`; return 'failed'; }
    const mail = invoiceEmail({ subject, sellerName, token: doc?.token ?? '', baseUrl: ports.publicBaseUrl, customSubject: mailAction.subject, customBody: mailAction.body });
    base.subject = mail.subject;
    const pdf = doc && mailAction.attach !== 'none' ? await ports.storage.get(doc.s3Key) : undefined;
    send = () => ports.mailer.send({
      from: `"${sellerName.replace(/"/g, '')}" <${ports.mailFrom}>`,
      to,
      replyTo: responsibleEmail ?? tenant?.settings?.replyTo,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: { 'X-Entity-Ref-ID': messageId },
      attachments: pdf ? [{ filename: `${subject.number ?? subject.id}.pdf`, content: pdf, contentType: 'application/pdf' }] : [],
    });
  }
  const claim = await ports.messages.claim(base);
  if (!claim.claimed) {
    // Sent before (a retry): nothing to do. Interrupted mid-send: do not risk a second message.
    if (claim.existing.status === 'sent') {
      step.result = { ...step.result, messageId, providerMessageId: claim.existing.providerMessageId ?? '' };
      return 'done';
    }
    step.error = claim.existing.status === 'sending'
      ? 'a previous attempt was interrupted while sending; not resent automatically to avoid a duplicate'
      : claim.existing.error ?? 'failed before';
    return 'failed';
  }
  let sent: { messageId: string };
  try {
    sent = await send();
  } catch (error) {
    if (error instanceof DeliveryRejected) {
      await ports.messages.markFailed(base, error.message);
      step.error = `the provider refused the message: ${error.message}`;
      return 'failed';
    }
    // Not accepted (provider down, throttled, connection lost): release the claim and let the
    // caller retry; the run resumes at this step. A connection lost after the provider accepted
    // is indistinguishable here: the rare duplicate is preferred to an invoice never sent.
    await ports.messages.release(base);
    throw new Unavailable(`the ${channel === 'sms' ? 'SMS' : 'e-mail'} provider is unavailable: ${(error as Error).message}`);
  }
  // Sent: from here on the claim is never released, so no retry can send it again.
  await recordSent(ports, base, sent.messageId);
  step.result = { ...step.result, messageId, providerMessageId: sent.messageId };
  return 'done';
}

/** Records a sent message, retrying the write: losing it would make the message look interrupted. */
async function recordSent(ports: DeliveryPorts, message: MessageRecord, providerMessageId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ports.messages.markSent(message, providerMessageId);
      return;
    } catch (error) {
      if (attempt >= 4) throw error;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

/**
 * Runs the run's steps from where it stands. Returns when it finishes, fails, or waits for a
 * document to be rendered (the document.created event resumes it). Safe to call again at any time.
 */
export async function advanceRun(ports: DeliveryPorts, initial: AutomationRun): Promise<AutomationRun> {
  let run = initial;
  const save = async () => {
    run.updatedAt = ports.now();
    run = await ports.runs.save(run);
  };
  for (let index = 0; index < run.steps.length; index++) {
    const step = run.steps[index];
    if (step.status === 'done' || step.status === 'skipped') continue;
    if (step.status === 'failed') break;
    const action = step.action;
    if (action.type === 'create_document') {
      const documentId = step.result?.documentId ?? derivedId('document', run.id, String(index));
      if (step.status === 'pending') {
        const { doc, link } = newDocument({
          tenantId: run.tenantId, id: documentId, subjectType: run.subjectType, subjectId: run.subjectId,
          templateId: action.templateId, createdBy: run.actor, cause: { runId: run.id, actionIndex: index }, now: ports.now(),
        });
        await ports.documents.request(doc, link);
        step.status = 'waiting';
        step.result = { documentId };
        run.status = 'waiting';
        await save();
      }
      const doc = await ports.documents.get(run.tenantId, documentId);
      if (doc?.status === 'ready') {
        step.status = 'done';
        run.status = 'running';
        await save();
        continue;
      }
      if (doc?.status === 'failed') {
        step.status = 'failed';
        step.error = doc.reason ?? 'the document could not be rendered';
        break;
      }
      return run; // waiting for document.created
    }
    if (action.type === 'move_to_stage') {
      // `move` is a no-op when the invoice is already there (a retry after the move committed)
      await ports.stages.move(run.tenantId, run.subjectId, action.stage, run.actor);
      step.status = 'done';
      await save();
      continue;
    }
    step.status = await sendStep(ports, run, index, step);
    await save();
    if (step.status === 'failed') break;
  }
  const failed = run.steps.find((s) => s.status === 'failed');
  run.status = failed ? 'failed' : 'done';
  run.error = failed?.error;
  await save();
  return run;
}

/**
 * Sends a subject now, as a person asked (not a rule): an ad-hoc run of [send], reusing the latest
 * ready document, or [create_document, send] when there is none (or another template is asked for);
 * the run waits for the render and document.created resumes it.
 */
export async function deliverNow(
  ports: DeliveryPorts,
  input: { tenantId: string; subjectType: 'invoice' | 'quote'; subjectId: string; actor: string; send: Action; templateId?: string; readyDocumentId?: string; causeEventId: string },
): Promise<AutomationRun> {
  const actions: Action[] = input.readyDocumentId ? [input.send] : [{ type: 'create_document', templateId: input.templateId }, input.send];
  const run = newRun({ tenantId: input.tenantId, subjectType: input.subjectType, subjectId: input.subjectId, causeEventId: input.causeEventId, actor: input.actor, actions, now: ports.now() });
  if (input.readyDocumentId) run.steps[0].result = { documentId: input.readyDocumentId };
  return startRun(ports, run);
}

/** Starts (or, for a redelivered cause, resumes) a run. */
export async function startRun(ports: DeliveryPorts, run: AutomationRun): Promise<AutomationRun> {
  const created = await ports.runs.create(run);
  const current = created === 'created' ? run : await ports.runs.get(run.tenantId, run.id);
  if (!current || current.status === 'done' || current.status === 'failed') return current ?? run;
  return advanceRun(ports, current);
}
