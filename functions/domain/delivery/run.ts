import { Document, Texts, type DocumentRecord, type PublicLinkRecord } from '../documents';
import { DeliveryRejected, derivedId, RuleViolation, Unavailable, type ObjectStorage } from '../kernel';
import { documentForStep, documentIdFor, newRun, type Action, type AutomationRun, type RunStep } from './automation';
import { invoiceEmail, invoiceSmsText, notificationEmail, textKind, type Mailer, type MessageRecord, type SmsSender } from './message';
import { backoffMs, claimState, leaseUntil, msUntil, rfcMessageId, SEND_ATTEMPTS } from './sending';
import type { DeliverySubject } from './subject';

/**
 * Running automation steps with exactly-once effects. Every side effect has an id derived from
 * its cause (run id + step index): a document request and a message claim are conditional writes,
 * so a redelivered event or a resumed run finds what was already done and does not do it again.
 */
export interface DeliveryPorts {
  now(): string;
  publicBaseUrl: string;
  mailFrom: string;
  subjects: { get(tenantId: string, type: 'invoice' | 'quote', id: string): Promise<DeliverySubject | null> };
  tenants: {
    get(
      tenantId: string,
    ): Promise<{ name: string; settings?: { locale?: string; senderName?: string; replyTo?: string; notifyEmail?: string; smsSenderId?: string } } | null>;
  };
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
    request(doc: DocumentRecord, link: PublicLinkRecord): Promise<'created' | 'exists'>;
    get(tenantId: string, id: string): Promise<DocumentRecord | null>;
  };
  messages: {
    /** Conditional put of the message in status `sending` with its lease: false (and the stored one) when it exists. */
    claim(message: MessageRecord): Promise<{ claimed: true } | { claimed: false; existing: MessageRecord }>;
    /**
     * Takes over an interrupted claim (status sending, lease expired): a new lease and one more attempt,
     * conditioned on the version read; false when someone else moved it first.
     */
    takeOver(existing: MessageRecord, next: { leaseUntil: string; now: string }): Promise<boolean>;
    /** Status sent + provider id + timeline entry + message.sent event, in one transaction; a no-op when already sent. */
    markSent(message: MessageRecord, providerMessageId: string): Promise<void>;
    /** Status failed + reason + timeline entry + message.failed event, in one transaction (only from sending). */
    markFailed(message: MessageRecord, error: string): Promise<void>;
  };
  /** Moves the invoice to `to`; does nothing when it is already there. */
  stages: { move(tenantId: string, invoiceId: string, to: string, actor: string): Promise<void> };
  storage: ObjectStorage;
  mailer: Mailer;
  sms: SmsSender;
  /** Waits (backoff between attempts, an unexpired lease): real time in the handlers, instant in tests. */
  wait?: (ms: number) => Promise<void>;
}

const waitWith = (ports: Pick<DeliveryPorts, 'wait'>, ms: number) => (ports.wait ? ports.wait(ms) : new Promise<void>((r) => setTimeout(r, ms)));

export function publicUrl(ports: Pick<DeliveryPorts, 'publicBaseUrl'>, token: string): string {
  return `${ports.publicBaseUrl.replace(/\/$/, '')}/p/${token}`;
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
  // the client is spoken to in its own language, the seller's people in the tenant's
  const locale = Texts.clientLocale(subject.client, tenant?.settings?.locale);
  // The responsible employee answers the client's replies and gets the notifications.
  const responsibleEmail = subject.responsibleUserId ? await ports.users.emailOf(run.tenantId, subject.responsibleUserId) : undefined;
  const to =
    action.type === 'notify_responsible'
      ? (responsibleEmail ?? tenant?.settings?.notifyEmail)
      : ('to' in action && action.to) || (channel === 'sms' ? subject.client.phone : subject.client.email);
  const messageId = derivedId('message', run.id, String(index));
  const now = ports.now();
  const base: MessageRecord = {
    tenantId: run.tenantId,
    id: messageId,
    subjectType: run.subjectType,
    subjectId: run.subjectId,
    channel,
    to: to ?? '',
    status: 'sending',
    documentId: doc?.id,
    createdBy: run.actor,
    runId: run.id,
    stepIndex: index,
    leaseUntil: leaseUntil(now),
    attempts: 1,
    ...(channel === 'email' ? { rfcMessageId: rfcMessageId(messageId, ports.mailFrom) } : {}),
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  if (!to) {
    return failUnsent(
      ports,
      step,
      base,
      channel === 'sms'
        ? 'the client has no phone number'
        : action.type === 'notify_responsible'
          ? 'the responsible user has no known e-mail and no notification address is configured'
          : 'the client has no e-mail address',
    );
  }
  let send: () => Promise<{ messageId: string }>;
  if (channel === 'sms') {
    if (!doc) return failUnsent(ports, step, base, 'no document to link to');
    const text = invoiceSmsText({
      sellerName,
      number: subject.number ?? '',
      total: subject.total,
      currency: subject.currency,
      dueDate: subject.dueDate,
      url: publicUrl(ports, doc.token),
      custom: (action as { text?: string }).text,
      locale,
      kind: textKind(subject),
    });
    send = () => ports.sms.send({ to, text, senderId: tenant?.settings?.smsSenderId });
  } else if (action.type === 'notify_responsible') {
    const note = notificationEmail({ subject, locale: tenant?.settings?.locale ?? 'en', message: action.message });
    base.subject = note.subject;
    send = () => ports.mailer.send({ messageId: base.rfcMessageId, from: ports.mailFrom, to, subject: note.subject, text: note.text });
  } else {
    const mailAction = action as Extract<RunStep['action'], { type: 'send_email' }>;
    if (!doc && mailAction.attach !== 'none') return failUnsent(ports, step, base, 'no document to attach');
    if (doc && doc.status !== 'ready') return failUnsent(ports, step, base, `the document is ${doc.status}`);
    const mail = invoiceEmail({
      subject,
      sellerName,
      token: doc?.token ?? '',
      baseUrl: ports.publicBaseUrl,
      customSubject: mailAction.subject,
      customBody: mailAction.body,
      locale,
    });
    base.subject = mail.subject;
    const pdf = doc && mailAction.attach !== 'none' ? await ports.storage.get(doc.s3Key) : undefined;
    send = () =>
      ports.mailer.send({
        messageId: base.rfcMessageId,
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
  const claimed = await claimMessage(ports, base);
  if (claimed.kind === 'sent') {
    step.result = { ...step.result, messageId, providerMessageId: claimed.providerMessageId };
    return 'done';
  }
  if (claimed.kind === 'failed') {
    step.result = { ...step.result, messageId };
    step.error = claimed.error;
    return 'failed';
  }
  const message = claimed.message;
  let sent: { messageId: string } | undefined;
  for (let attempt = 1; !sent; attempt++) {
    try {
      sent = await send();
    } catch (error) {
      const reason = (error as Error).message;
      if (error instanceof DeliveryRejected) return failSent(ports, step, message, `the provider refused the message: ${reason}`);
      // Not accepted (provider down, throttled, connection lost): retried with backoff while the lease holds.
      // A connection lost after the provider accepted is indistinguishable here: the resend carries the same
      // Message-ID, so the copy is recognisable; an invoice never sent is the worse outcome.
      if (attempt >= SEND_ATTEMPTS)
        return failSent(ports, step, message, `the ${channel === 'sms' ? 'SMS' : 'e-mail'} provider was unavailable (${attempt} attempts): ${reason}`);
      await waitWith(ports, backoffMs(attempt));
    }
  }
  // Sent: from here on the message is never sent again by a replay, unless the record below is lost (then
  // the lease expires and the replay resends with the same Message-ID).
  await recordSent(ports, message, sent.messageId);
  step.result = { ...step.result, messageId, providerMessageId: sent.messageId };
  step.error = undefined;
  return 'done';
}

/**
 * The claim of a message: a new one, or the takeover of an interrupted one (lease expired; the same
 * Message-ID goes out again), or what was decided before (sent, failed). An unexpired lease is waited out.
 */
async function claimMessage(
  ports: DeliveryPorts,
  base: MessageRecord,
): Promise<{ kind: 'claimed'; message: MessageRecord } | { kind: 'sent'; providerMessageId: string } | { kind: 'failed'; error: string }> {
  for (let look = 0; look < 3; look++) {
    const now = ports.now();
    const fresh = { ...base, leaseUntil: leaseUntil(now), updatedAt: now };
    const claim = await ports.messages.claim(fresh);
    if (claim.claimed) return { kind: 'claimed', message: fresh };
    const state = claimState(claim.existing, now);
    if (state.kind === 'sent' || state.kind === 'failed') return state;
    if (state.kind === 'held') {
      await waitWith(ports, msUntil(state.until, now) + 50);
      continue;
    }
    const next = { leaseUntil: leaseUntil(now), now };
    if (await ports.messages.takeOver(claim.existing, next)) {
      return {
        kind: 'claimed',
        message: {
          ...claim.existing,
          ...fresh,
          createdAt: claim.existing.createdAt,
          attempts: (claim.existing.attempts ?? 1) + 1,
          version: claim.existing.version + 1,
          leaseUntil: next.leaseUntil,
        },
      };
    }
  }
  throw new Unavailable(`the message ${base.id} is being sent by another worker`);
}

/** A message that could not even be attempted (no address, no document): recorded failed, visibly. */
async function failUnsent(ports: DeliveryPorts, step: RunStep, base: MessageRecord, reason: string): Promise<'done' | 'failed'> {
  const claim = await ports.messages.claim(base);
  if (!claim.claimed) {
    const state = claimState(claim.existing, ports.now());
    if (state.kind === 'sent') return 'done';
    if (state.kind !== 'failed') await ports.messages.markFailed(claim.existing, reason);
  } else await ports.messages.markFailed(base, reason);
  step.result = { ...step.result, messageId: base.id };
  step.error = reason;
  return 'failed';
}

async function failSent(ports: DeliveryPorts, step: RunStep, message: MessageRecord, reason: string): Promise<'failed'> {
  await ports.messages.markFailed(message, reason);
  step.result = { ...step.result, messageId: message.id };
  step.error = reason;
  return 'failed';
}

/** Records a sent message, retrying the write: if it is lost, the lease expires and a replay resends (same Message-ID). */
async function recordSent(ports: DeliveryPorts, message: MessageRecord, providerMessageId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ports.messages.markSent(message, providerMessageId);
      return;
    } catch (error) {
      if (attempt >= 4) throw error;
      await waitWith(ports, 100 * 2 ** attempt);
    }
  }
}

/**
 * Runs the run's steps from where it stands. Returns when it finishes, fails, or waits for a
 * document to be rendered (the document.created event resumes it). Safe to call again at any time.
 */
export async function advance(ports: DeliveryPorts, initial: AutomationRun): Promise<AutomationRun> {
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
      const documentId = step.result?.documentId ?? documentIdFor(run, index);
      if (step.status === 'pending') {
        const { doc, link } = Document.prepare({
          tenantId: run.tenantId,
          id: documentId,
          subjectType: run.subjectType,
          subjectId: run.subjectId,
          templateId: action.templateId,
          createdBy: run.actor,
          cause: { runId: run.id, actionIndex: index },
          now: ports.now(),
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
  input: {
    tenantId: string;
    subjectType: 'invoice' | 'quote';
    subjectId: string;
    actor: string;
    send: Action;
    templateId?: string;
    readyDocumentId?: string;
    causeEventId: string;
  },
): Promise<AutomationRun> {
  const actions: Action[] = input.readyDocumentId ? [input.send] : [{ type: 'create_document', templateId: input.templateId }, input.send];
  const run = newRun({
    tenantId: input.tenantId,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    causeEventId: input.causeEventId,
    actor: input.actor,
    actions,
    now: ports.now(),
  });
  if (input.readyDocumentId) run.steps[0].result = { documentId: input.readyDocumentId };
  return start(ports, run);
}

/** Starts (or, for a redelivered cause, resumes) a run. */
export async function start(ports: DeliveryPorts, run: AutomationRun): Promise<AutomationRun> {
  const created = await ports.runs.create(run);
  const current = created === 'created' ? run : await ports.runs.get(run.tenantId, run.id);
  if (!current || current.status === 'done' || current.status === 'failed') return current ?? run;
  return advance(ports, current);
}
