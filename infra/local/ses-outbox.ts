import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { JsonLines } from './durable';

/**
 * The SES stand-in. It answers the SES calls the service can make (v1 query API: SendRawEmail, which
 * the mail adapter uses, and SendEmail; v2: POST /v2/email/outbound-emails, simple or raw) and keeps
 * every e-mail: in memory, and with a directory on disk (`<dir>/emails.jsonl`, the raw MIME as
 * `<dir>/raw/<messageId>.eml`), so a restart shows every e-mail sent before it.
 *
 * Read them at GET / (a page: newest first, each body and attachment one click away), GET /store (JSON,
 * the same shape aws-ses-v2-local answered: `{ emails: [...] }`, `?since=<epoch seconds>`),
 * GET /messages/<id> (the HTML or text body), /messages/<id>.eml, /messages/<id>/attachments/<n>.
 * We replaced aws-ses-v2-local because it keeps e-mails only in its process's memory.
 */
export interface StoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  /** The message's own headers (raw messages): Message-ID, X-Entity-Ref-ID, ... */
  headers?: { name: string; value: string }[];
  /** When it was accepted, in epoch seconds (as aws-ses-v2-local). */
  at: number;
  /** The API call that brought it. */
  via: 'SendRawEmail' | 'SendEmail' | 'v2.SendEmail';
}

export interface SesOutbox {
  url: string;
  server: Server;
  emails(): StoredEmail[];
}

class Rejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const addressTexts = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).map((a) => a.text).filter(Boolean);

/** Numbered query-protocol members: `Prefix.member.1`, `Prefix.member.2`, ... */
const members = (params: URLSearchParams, prefix: string): string[] => {
  const out: string[] = [];
  for (let i = 1; params.has(`${prefix}.member.${i}`); i++) out.push(params.get(`${prefix}.member.${i}`)!);
  return out;
};

function newMessageId(): string {
  // The shape of SES's ids: 0102 + time + uuid + 000000.
  return `0102${Date.now().toString(16).padStart(12, '0')}-${randomUUID()}-000000`;
}

async function fromRaw(
  raw: Buffer,
  source: string | undefined,
  destinations: string[],
  via: StoredEmail['via'],
): Promise<Omit<StoredEmail, 'messageId' | 'at'>> {
  const message = await simpleParser(raw);
  const from = message.from?.text || source;
  if (!from) throw new Rejected('InvalidParameterValue', "Missing final '@domain': the message has no From and no Source");
  const to = addressTexts(message.to);
  const cc = addressTexts(message.cc);
  const bcc = addressTexts(message.bcc);
  if (to.length + cc.length + bcc.length + destinations.length === 0) throw new Rejected('InvalidParameterValue', 'the message has no recipients');
  return {
    from,
    replyTo: addressTexts(message.replyTo),
    destination: { to: to.length || cc.length || bcc.length ? to : destinations, cc, bcc },
    subject: message.subject ?? '(no subject)',
    body: { text: message.text, html: message.html || undefined },
    attachments: message.attachments.map((a) => ({ content: a.content.toString('base64'), contentType: a.contentType, filename: a.filename, size: a.size })),
    headers: message.headerLines.map((h) => ({ name: h.key, value: h.line.slice(h.line.indexOf(':') + 1).trim() })),
    via,
  };
}

function fromSimple(
  input: { from?: string; to: string[]; cc: string[]; bcc: string[]; replyTo: string[]; subject?: string; text?: string; html?: string },
  via: StoredEmail['via'],
): Omit<StoredEmail, 'messageId' | 'at'> {
  if (!input.from) throw new Rejected('InvalidParameterValue', 'Missing Source');
  if (input.to.length + input.cc.length + input.bcc.length === 0) throw new Rejected('InvalidParameterValue', 'Missing destination');
  return {
    from: input.from,
    replyTo: input.replyTo,
    destination: { to: input.to, cc: input.cc, bcc: input.bcc },
    subject: input.subject ?? '(no subject)',
    body: { text: input.text, html: input.html },
    attachments: [],
    via,
  };
}

const xmlEscape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

function queryError(res: ServerResponse, status: number, code: string, message: string): void {
  res
    .writeHead(status, { 'content-type': 'text/xml' })
    .end(
      `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The parts of an SES v2 SendEmail request body the stand-in reads (JSON, as the SDK sends it). */
interface SesV2SendEmail {
  FromEmailAddress?: string;
  ReplyToAddresses?: string[];
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  Content?: {
    Raw?: { Data?: string };
    Simple?: {
      Subject?: { Data?: string };
      Body?: { Text?: { Data?: string }; Html?: { Data?: string } };
      Attachments?: { RawContent: string; FileName?: string; ContentType?: string }[];
      Headers?: { Name: string; Value: string }[];
    };
  };
}

export async function startSesOutbox(port: number, dir?: string, host = '127.0.0.1'): Promise<SesOutbox> {
  if (dir) mkdirSync(join(dir, 'raw'), { recursive: true });
  const log = dir ? new JsonLines<StoredEmail>(join(dir, 'emails.jsonl')) : undefined;
  let memory: StoredEmail[] = log?.read() ?? [];
  const byId = (id: string) => memory.find((e) => e.messageId === id);

  const keep = (email: Omit<StoredEmail, 'messageId' | 'at'>, raw?: Buffer): string => {
    const stored: StoredEmail = { messageId: newMessageId(), at: Math.floor(Date.now() / 1000), ...email };
    if (dir && raw) writeFileSync(join(dir, 'raw', `${stored.messageId}.eml`), raw);
    // On disk before SES "accepts" it: what the sender was told was sent is still here after a crash.
    log?.append(stored);
    memory.push(stored);
    return stored.messageId;
  };

  async function sendQuery(params: URLSearchParams, res: ServerResponse): Promise<void> {
    const action = params.get('Action');
    let messageId: string;
    if (action === 'SendRawEmail') {
      const data = params.get('RawMessage.Data');
      if (!data) return queryError(res, 400, 'InvalidParameterValue', 'RawMessage.Data is required');
      const raw = Buffer.from(data, 'base64');
      messageId = keep(await fromRaw(raw, params.get('Source') ?? undefined, members(params, 'Destinations'), 'SendRawEmail'), raw);
    } else if (action === 'SendEmail') {
      messageId = keep(
        fromSimple(
          {
            from: params.get('Source') ?? undefined,
            to: members(params, 'Destination.ToAddresses'),
            cc: members(params, 'Destination.CcAddresses'),
            bcc: members(params, 'Destination.BccAddresses'),
            replyTo: members(params, 'ReplyToAddresses'),
            subject: params.get('Message.Subject.Data') ?? undefined,
            text: params.get('Message.Body.Text.Data') ?? undefined,
            html: params.get('Message.Body.Html.Data') ?? undefined,
          },
          'SendEmail',
        ),
      );
    } else {
      return queryError(res, 400, 'InvalidAction', `${action} is not emulated`);
    }
    res
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(
        `<${action}Response xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><${action}Result><MessageId>${messageId}</MessageId></${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
      );
  }

  async function sendV2(body: SesV2SendEmail, res: ServerResponse): Promise<void> {
    const content = body.Content ?? {};
    const dest = body.Destination ?? {};
    let messageId: string;
    if (content.Raw?.Data) {
      const raw = Buffer.from(content.Raw.Data, 'base64');
      messageId = keep(
        await fromRaw(raw, body.FromEmailAddress, [...(dest.ToAddresses ?? []), ...(dest.CcAddresses ?? []), ...(dest.BccAddresses ?? [])], 'v2.SendEmail'),
        raw,
      );
    } else if (content.Simple) {
      const simple = content.Simple;
      const email = fromSimple(
        {
          from: body.FromEmailAddress,
          to: dest.ToAddresses ?? [],
          cc: dest.CcAddresses ?? [],
          bcc: dest.BccAddresses ?? [],
          replyTo: body.ReplyToAddresses ?? [],
          subject: simple.Subject?.Data,
          text: simple.Body?.Text?.Data,
          html: simple.Body?.Html?.Data,
        },
        'v2.SendEmail',
      );
      email.attachments = (simple.Attachments ?? []).map((a) => ({
        content: a.RawContent,
        contentType: a.ContentType ?? 'application/octet-stream',
        filename: a.FileName,
        size: Buffer.from(a.RawContent, 'base64').length,
      }));
      email.headers = (simple.Headers ?? []).map((h) => ({ name: h.Name, value: h.Value }));
      messageId = keep(email);
    } else {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'only Simple and Raw content are emulated' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: messageId }));
  }

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const path = url.pathname;
      const body = await readBody(req);
      if (req.method === 'POST' && path === '/') {
        return await sendQuery(new URLSearchParams(body.toString('utf8')), res);
      }
      if (req.method === 'POST' && path === '/v2/email/outbound-emails') {
        return await sendV2(JSON.parse(body.toString('utf8') || '{}'), res);
      }
      if (req.method === 'GET' && path === '/store') {
        const since = url.searchParams.get('since');
        if (since !== null && !/^\d+$/.test(since)) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'since: epoch seconds expected' }));
          return;
        }
        const emails = since === null ? memory : memory.filter((e) => e.at >= Number(since));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ templates: {}, emails }));
        return;
      }
      if (req.method === 'POST' && path === '/clear-store') {
        memory = [];
        if (dir && log) {
          log.rewrite([]);
          rmSync(join(dir, 'raw'), { recursive: true, force: true });
          mkdirSync(join(dir, 'raw'), { recursive: true });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Store cleared' }));
        return;
      }
      if (req.method === 'GET' && path === '/health-check') {
        res.writeHead(200).end();
        return;
      }
      const eml = /^\/messages\/([\w-]+)\.eml$/.exec(path);
      if (req.method === 'GET' && eml) {
        const file = dir ? join(dir, 'raw', `${eml[1]}.eml`) : undefined;
        if (!file || !existsSync(file)) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'message/rfc822', 'content-disposition': `attachment; filename="${eml[1]}.eml"` }).end(readFileSync(file));
        return;
      }
      const attachment = /^\/messages\/([\w-]+)\/attachments\/(\d+)$/.exec(path);
      if (req.method === 'GET' && attachment) {
        const a = byId(attachment[1])?.attachments[Number(attachment[2])];
        if (!a) return void res.writeHead(404).end();
        res
          .writeHead(200, { 'content-type': a.contentType, 'content-disposition': `inline; filename="${(a.filename ?? 'attachment').replace(/"/g, '')}"` })
          .end(Buffer.from(a.content, 'base64'));
        return;
      }
      const message = /^\/messages\/([\w-]+)$/.exec(path);
      if (req.method === 'GET' && message) {
        const e = byId(message[1]);
        if (!e) return void res.writeHead(404).end();
        res
          .writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': "default-src 'none'; img-src * data:; style-src 'unsafe-inline'",
          })
          .end(e.body.html ?? `<pre>${htmlEscape(e.body.text ?? '')}</pre>`);
        return;
      }
      if (req.method === 'GET' && path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(viewer(memory, Boolean(dir)));
        return;
      }
      res.writeHead(404, { 'content-type': 'text/xml' }).end('<UnknownOperationException/>');
    } catch (error) {
      if (res.headersSent) return void res.end();
      if (error instanceof Rejected) return queryError(res, 400, error.code, error.message);
      queryError(res, 500, 'InternalFailure', (error as Error).message);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { url: `http://${host}:${(server.address() as { port: number }).port}`, server, emails: () => memory };
}

const htmlEscape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function viewer(emails: StoredEmail[], raw: boolean): string {
  const rows = emails
    .slice()
    .reverse()
    .map((e) => {
      const id = encodeURIComponent(e.messageId);
      const files = e.attachments
        .map((a, i) => `<a href="/messages/${id}/attachments/${i}">${htmlEscape(a.filename ?? `attachment ${i + 1}`)}</a> (${Math.ceil(a.size / 1024)} KB)`)
        .join('<br>');
      return (
        `<tr><td>${new Date(e.at * 1000).toISOString().replace('T', ' ').slice(0, 19)}</td><td>${htmlEscape(e.from)}</td><td>${htmlEscape([...e.destination.to, ...e.destination.cc].join(', '))}</td>` +
        `<td><a href="/messages/${id}">${htmlEscape(e.subject)}</a>${raw && e.via !== 'SendEmail' ? ` <small>(<a href="/messages/${id}.eml">.eml</a>)</small>` : ''}</td><td>${files}</td></tr>`
      );
    })
    .join('');
  return (
    `<!doctype html><meta charset=utf-8><title>E-mails sent (local SES)</title>` +
    '<style>body{font-family:system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}</style>' +
    `<h1>E-mails sent (local SES): ${emails.length}</h1><p>JSON: <a href="/store">/store</a></p>` +
    `<table><tr><th>at (UTC)</th><th>from</th><th>to</th><th>subject</th><th>attachments</th></tr>${rows}</table>`
  );
}
