import { Texts } from '../documents';
import { DeliveryRejected, derivedId, RuleViolation } from '../kernel';
import { attachmentsOf, documentForStep, type AutomationRun, type RunStep } from './automation';
import { claimMessage, failSent, failUnsent, recordSent } from './claiming';
import { invoiceEmail, invoiceSmsText, notificationEmail, textKind, type MessageRecord } from './message';
import { isClientAddress, limitOf, safeDisplayName, sendingLimits } from './limits';
import { publicUrl, waitWith, type DeliveryPorts } from './ports';
import { backoffMs, fromAddress, leaseUntil, rfcMessageId, SEND_ATTEMPTS } from './sending';
import type { DeliverySubject } from './subject';

/**
 * One send step of a run (send_email, send_sms, notify_responsible): the message composed for the subject's
 * client (or the responsible person), claimed once under its derived id, sent with retries while the claim's
 * lease holds, and recorded sent or failed.
 */
export async function sendStep(ports: DeliveryPorts, run: AutomationRun, index: number, step: RunStep): Promise<'done' | 'failed'> {
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
  // an address the rule or the person gave, outside the subject's own client, needs the explicit flag
  const external = Boolean(to && action.type !== 'notify_responsible' && !isClientAddress(subject.client, channel, to));
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
    ...(external ? { external: true } : {}),
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
  if (external && !run.allowExternalRecipient) {
    return failUnsent(ports, step, base, `${to} is not an address of the client: sending to it needs allowExternalRecipient on the rule`);
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
    send = () =>
      ports.mailer.send({
        messageId: base.rfcMessageId,
        from: { name: safeDisplayName(tenant?.name ?? ''), address: fromAddress(ports.mailFrom) },
        to,
        subject: note.subject,
        text: note.text,
      });
  } else {
    const mailAction = action as Extract<RunStep['action'], { type: 'send_email' }>;
    const attach = attachmentsOf(mailAction.attach);
    if (!doc && attach.document) return failUnsent(ports, step, base, 'no document to attach');
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
    const pdf = doc && attach.document ? await ports.storage.get(doc.s3Key) : undefined;
    let ubl: { filename: string; content: Uint8Array } | undefined;
    if (attach.ubl && run.subjectType === 'invoice') {
      if (!ports.einvoices) return failUnsent(ports, step, base, 'e-invoices are not available here');
      try {
        ubl = await ports.einvoices.ubl(run.tenantId, run.subjectId);
      } catch (error) {
        return failUnsent(ports, step, base, `the e-invoice could not be made: ${String((error as Error)?.message ?? error).slice(0, 300)}`);
      }
    }
    send = () =>
      ports.mailer.send({
        messageId: base.rfcMessageId,
        // a structured address: the display name cannot change the verified From address (issue 14 §3)
        from: { name: safeDisplayName(sellerName), address: fromAddress(ports.mailFrom) },
        to,
        replyTo: responsibleEmail ?? tenant?.settings?.replyTo,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: { 'X-Entity-Ref-ID': messageId },
        attachments: [
          ...(pdf ? [{ filename: `${subject.number ?? subject.id}.pdf`, content: pdf, contentType: 'application/pdf' }] : []),
          ...(ubl ? [{ filename: ubl.filename, content: ubl.content, contentType: 'application/xml' }] : []),
        ],
      });
  }
  const claimed = await claimMessage(ports, base, limitOf(sendingLimits(tenant?.settings), channel));
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

async function subjectOrFail(ports: DeliveryPorts, run: AutomationRun): Promise<DeliverySubject> {
  const subject = await ports.subjects.get(run.tenantId, run.subjectType, run.subjectId);
  if (!subject) throw new RuleViolation(`${run.subjectType} ${run.subjectId} no longer exists`);
  return subject;
}
