import type { SESClient } from '@aws-sdk/client-ses';
import { DeliveryRejected } from '../../domain/kernel';
import type { Config } from '../../shared/config';
import { Sending, type Mailer, type OutgoingEmail } from '../../domain/delivery';

const { SEND_TIMEOUT_MS } = Sending;

/**
 * Builds the MIME message with nodemailer's MailComposer (attachments, encodings, headers). nodemailer and the
 * SES client are loaded on the first message, not at cold start: most invocations of the functions that may
 * send (quotes, documents, run-automation) send nothing.
 */
export async function composeMime(email: OutgoingEmail): Promise<Buffer> {
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const composer = new MailComposer({
    ...(email.messageId ? { messageId: email.messageId } : {}),
    from: email.from,
    to: email.to,
    replyTo: email.replyTo,
    subject: email.subject,
    text: email.text,
    html: email.html,
    headers: email.headers,
    attachments: email.attachments?.map((a) => ({ filename: a.filename, content: Buffer.from(a.content), contentType: a.contentType })),
  });
  return composer.compile().build();
}

/**
 * E-mail through SES SendRawEmail (the raw form carries attachments). One attempt: SES has no
 * idempotency key, so retries belong to the delivery protocol, which records what went out and resends
 * an interrupted message with the same Message-ID header.
 */
export function createSesMailer(cfg: Pick<Config, 'AWS_REGION' | 'SES_ENDPOINT'>): Mailer {
  // each call bounded well under a message's lease (domain/delivery/sending.ts)
  let ses: Promise<{ client: SESClient; SendRawEmailCommand: typeof import('@aws-sdk/client-ses').SendRawEmailCommand }> | undefined;
  const loadSes = () =>
    (ses ??= import('@aws-sdk/client-ses').then(({ SESClient, SendRawEmailCommand }) => ({
      client: new SESClient({
        region: cfg.AWS_REGION,
        maxAttempts: 1,
        requestHandler: { requestTimeout: SEND_TIMEOUT_MS, connectionTimeout: 3_000 },
        ...(cfg.SES_ENDPOINT ? { endpoint: cfg.SES_ENDPOINT } : {}),
      }),
      SendRawEmailCommand,
    })));
  return {
    async send(email) {
      const raw = await composeMime(email);
      const { client, SendRawEmailCommand } = await loadSes();
      try {
        const res = await client.send(new SendRawEmailCommand({ RawMessage: { Data: raw } }));
        return { messageId: res.MessageId! };
      } catch (error) {
        throw permanent(error) ? new DeliveryRejected((error as Error).message) : error;
      }
    },
  };
}

/** SES's answers that no retry will change (a refused address or message), as opposed to throttling or outages. */
export function permanent(error: unknown): boolean {
  const e = error as { name?: string; $fault?: string };
  return (
    e.$fault === 'client' &&
    ['MessageRejected', 'InvalidParameterValue', 'MailFromDomainNotVerifiedException', 'AccountSendingPausedException', 'ValidationError'].includes(
      e.name ?? '',
    )
  );
}
