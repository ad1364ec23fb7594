import { mkdirSync, appendFileSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * The SNS stand-in for SMS (SNS has no SMS emulator): it answers the real SNS Publish call
 * (query protocol) so the SNS adapter runs unchanged, and keeps every SMS readable over HTTP
 * (GET /messages, JSON) and on disk (<dir>/sms.jsonl).
 */
/** E.164: '+', a country code not starting with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;

export interface SmsRecord {
  messageId: string;
  phoneNumber: string;
  message: string;
  senderId?: string;
  smsType?: string;
  at: string;
}

export async function startSmsOutbox(port: number, dir?: string): Promise<{ url: string; server: Server; messages: () => SmsRecord[] }> {
  const file = dir ? join(dir, 'sms.jsonl') : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const memory: SmsRecord[] =
    file && existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as SmsRecord)
      : [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url?.startsWith('/messages')) {
        const to = new URL(req.url, 'http://x').searchParams.get('to');
        const list = to ? memory.filter((m) => m.phoneNumber === to) : memory;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messages: list }));
        return;
      }
      if (req.method === 'GET' && (req.url === '/' || req.url === '')) {
        const rows = memory
          .slice()
          .reverse()
          .map((m) => `<tr><td>${m.at}</td><td>${esc(m.phoneNumber)}</td><td>${esc(m.message)}</td></tr>`)
          .join('');
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            `<!doctype html><meta charset=utf-8><title>SMS outbox</title><h1>SMS outbox</h1><table border=1 cellpadding=4><tr><th>at</th><th>to</th><th>text</th></tr>${rows}</table>`,
          );
        return;
      }
      if (req.method === 'POST') {
        const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (params.get('Action') !== 'Publish' || !params.get('PhoneNumber')) {
          res.writeHead(400, { 'content-type': 'text/xml' }).end(errorXml('InvalidParameter', 'only Publish to a PhoneNumber is emulated'));
          return;
        }
        // Like SNS: a phone number must be E.164 ('+34611222333'); spaces, dashes or a national form are refused.
        if (!E164.test(params.get('PhoneNumber')!)) {
          res
            .writeHead(400, { 'content-type': 'text/xml' })
            .end(
              errorXml(
                'InvalidParameter',
                `Invalid parameter: PhoneNumber Reason: ${esc(params.get('PhoneNumber')!)} is not valid to publish to (E.164 expected)`,
              ),
            );
          return;
        }
        const attrs: Record<string, string> = {};
        for (let i = 1; params.has(`MessageAttributes.entry.${i}.Name`); i++) {
          attrs[params.get(`MessageAttributes.entry.${i}.Name`)!] = params.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
        }
        const record: SmsRecord = {
          messageId: randomUUID(),
          phoneNumber: params.get('PhoneNumber')!,
          message: params.get('Message') ?? '',
          senderId: attrs['AWS.SNS.SMS.SenderID'],
          smsType: attrs['AWS.SNS.SMS.SMSType'],
          at: new Date().toISOString(),
        };
        memory.push(record);
        if (file) appendFileSync(file, `${JSON.stringify(record)}\n`);
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${record.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
          );
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { url: `http://127.0.0.1:${port}`, server, messages: () => memory };
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error></ErrorResponse>`;
}
