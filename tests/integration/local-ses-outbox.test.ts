/**
 * The SES stand-in: it answers the calls our mail adapter makes (SendRawEmail through the real SES client)
 * and the other send calls of SES v1/v2, and every e-mail it accepted is still there, attachments and
 * headers included, after a restart on the same directory and port.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSesMailer } from '../../functions/adapters/mail/ses-mailer';
import { DeliveryRejected } from '../../functions/domain/kernel';
import { freePort } from '../../infra/local/ports';
import { startSesOutbox, type StoredEmail } from '../../infra/local/ses-outbox';

const dirs: string[] = [];
const servers: Server[] = [];
beforeAll(() => {
  // the adapter's client reads its credentials from the environment, as in Lambda
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function anOutbox(port: number, dir?: string) {
  const outbox = await startSesOutbox(port, dir);
  servers.push(outbox.server);
  return outbox;
}

const closed = (server: Server) => new Promise((r) => server.close(r));
const store = async (url: string) => ((await (await fetch(`${url}/store`)).json()) as { emails: StoredEmail[] }).emails;
const pdf = Buffer.from('%PDF-1.7\n% a tiny stand-in for a document\n%%EOF\n');

describe('the local SES stand-in', () => {
  it('keeps every e-mail the adapter sent, with its attachment and headers, across a restart on the same port', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'ses-'));
    dirs.push(dir);
    const port = await freePort();
    const first = await anOutbox(port, dir);
    const mailer = createSesMailer({ AWS_REGION: 'eu-west-1', SES_ENDPOINT: first.url });

    // Act: the mail adapter's SendRawEmail, then a restart
    const sent = await mailer.send({
      from: '"Seller" <invoices@example.com>',
      to: 'client@example.com',
      replyTo: 'owner@example.com',
      subject: 'Invoice INV-1',
      text: 'Please find attached',
      html: '<p>Please find attached</p>',
      headers: { 'X-Entity-Ref-ID': 'msg_1' },
      attachments: [{ filename: 'INV-1.pdf', content: pdf, contentType: 'application/pdf' }],
    });
    await closed(first.server);
    const second = await anOutbox(port, dir);

    // Assess: the same e-mail, at the same URL
    expect(second.url).toBe(first.url);
    const [email] = await store(second.url);
    expect(email).toMatchObject({
      messageId: sent.messageId,
      from: '"Seller" <invoices@example.com>',
      replyTo: ['owner@example.com'],
      subject: 'Invoice INV-1',
      destination: { to: ['client@example.com'] },
      body: { text: 'Please find attached', html: '<p>Please find attached</p>' },
      attachments: [{ filename: 'INV-1.pdf', contentType: 'application/pdf', size: pdf.length }],
      via: 'SendRawEmail',
    });
    expect(email.headers).toContainEqual({ name: 'x-entity-ref-id', value: 'msg_1' });
    expect(email.headers?.find((h) => h.name === 'message-id')?.value).toMatch(/^<.+@.+>$/);
    const attachment = await fetch(`${second.url}/messages/${sent.messageId}/attachments/0`);
    expect(attachment.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await attachment.arrayBuffer())).toEqual(pdf);
    const eml = await (await fetch(`${second.url}/messages/${sent.messageId}.eml`)).text();
    expect(eml).toContain('Subject: Invoice INV-1');
    expect(readFileSync(join(dir, 'emails.jsonl'), 'utf8')).toContain(sent.messageId);
    const page = await (await fetch(`${second.url}/`)).text();
    expect(page).toContain('Invoice INV-1');
    expect(page).toContain(`/messages/${sent.messageId}/attachments/0`);
  });

  it('answers SES v1 SendEmail and v2 SendEmail (simple) too, and filters by ?since', async () => {
    const outbox = await anOutbox(await freePort());
    const ses = new SESClient({ endpoint: outbox.url, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const v1 = await ses.send(
      new SendEmailCommand({
        Source: 'a@example.com',
        Destination: { ToAddresses: ['b@example.com'], CcAddresses: ['c@example.com'] },
        Message: { Subject: { Data: 'v1' }, Body: { Text: { Data: 'hello v1' } } },
      }),
    );
    const v2 = await fetch(`${outbox.url}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        FromEmailAddress: 'a@example.com',
        Destination: { ToAddresses: ['d@example.com'] },
        Content: { Simple: { Subject: { Data: 'v2' }, Body: { Html: { Data: '<b>v2</b>' } } } },
      }),
    });
    const v2Id = (await v2.json()).MessageId;

    const emails = await store(outbox.url);
    expect(emails).toMatchObject([
      { messageId: v1.MessageId, subject: 'v1', destination: { to: ['b@example.com'], cc: ['c@example.com'] }, body: { text: 'hello v1' }, via: 'SendEmail' },
      { messageId: v2Id, subject: 'v2', destination: { to: ['d@example.com'] }, body: { html: '<b>v2</b>' }, via: 'v2.SendEmail' },
    ]);
    const later = Math.floor(Date.now() / 1000) + 60;
    expect((await (await fetch(`${outbox.url}/store?since=${later}`)).json()).emails).toEqual([]);
  });

  it('refuses a message without recipients the way SES does: a permanent refusal for the adapter, nothing stored', async () => {
    const outbox = await anOutbox(await freePort());
    const mailer = createSesMailer({ AWS_REGION: 'eu-west-1', SES_ENDPOINT: outbox.url });
    await expect(mailer.send({ from: 'a@example.com', to: '', subject: 'nobody', text: 'x' })).rejects.toBeInstanceOf(DeliveryRejected);
    expect(await store(outbox.url)).toEqual([]);
  });
});
