/**
 * What delivery sends: the message records (one per send step, claimed before sending so a retry never
 * sends twice), the invoice or quote e-mail (text, HTML, public link, open pixel) and the SMS text.
 */
import type { DeliverySubject } from './subject';

export interface MessageRecord {
  tenantId: string;
  id: string;
  subjectType: 'invoice' | 'quote';
  subjectId: string;
  channel: 'email' | 'sms';
  to: string;
  status: 'sending' | 'sent' | 'failed';
  providerMessageId?: string;
  documentId?: string;
  subject?: string;
  error?: string;
  createdBy?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type { MessageRecord as Info };

export interface OutgoingEmail {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
  attachments?: { filename: string; content: Uint8Array; contentType: string }[];
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

export interface SmsSender {
  send(sms: { to: string; text: string; senderId?: string }): Promise<{ messageId: string }>;
}

export const label = (s: DeliverySubject) => (s.type === 'invoice' ? 'Invoice' : 'Quote');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The e-mail to the client: text and HTML, the public link, and the open pixel. */
export function invoiceEmail(input: {
  subject: DeliverySubject;
  sellerName: string;
  token: string;
  baseUrl: string;
  customSubject?: string;
  customBody?: string;
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

const GSM7 = /^[A-Za-z0-9 @£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~\]|€]*$/;

/** SMS segments: 160 GSM-7 characters (153 when split), 70 UCS-2 otherwise (67 when split). */
export function smsSegments(text: string): { encoding: 'GSM-7' | 'UCS-2'; segments: number } {
  const gsm = GSM7.test(text);
  const length = gsm ? [...text].reduce((n, c) => n + ('^{}\\[~]|€'.includes(c) ? 2 : 1), 0) : [...text].length;
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', segments: length <= single ? 1 : Math.ceil(length / multi) };
}

/**
 * The invoice SMS: who, what, how much, and the link, within two segments. The seller's name is
 * shortened first, then the number, so the link always survives whole.
 */
export function invoiceSmsText(input: {
  sellerName: string;
  number: string;
  total: string;
  currency: string;
  dueDate?: string | null;
  url: string;
  custom?: string;
}): string {
  const build = (seller: string) => {
    const base = input.custom
      ? input.custom.replaceAll('{number}', input.number).replaceAll('{total}', `${input.total} ${input.currency}`).replaceAll('{seller}', seller)
      : `${seller}: invoice ${input.number}, ${input.total} ${input.currency}${input.dueDate ? ` due ${input.dueDate}` : ''}.`;
    return `${base} ${input.url}`;
  };
  let text = build(input.sellerName);
  for (let keep = input.sellerName.length - 1; smsSegments(text).segments > 2 && keep >= 3; keep--) {
    text = build(`${input.sellerName.slice(0, keep).trimEnd()}…`);
  }
  return text;
}

export function renderPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => values[key] ?? m);
}
