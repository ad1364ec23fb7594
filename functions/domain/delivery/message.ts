/**
 * What delivery sends: the message records (one per send step, claimed before sending so a retry never
 * sends twice), the invoice or quote e-mail (text, HTML, public link, open pixel), the SMS text and the
 * seller's own notifications.
 *
 * Every text is in the client's language (its own locale, else the tenant's), from the catalogues of
 * templates/i18n/ (`email.<kind>.*`, `sms.<kind>`, `notify.*`), with amounts and dates formatted by Intl in
 * that language, and its own wording per document type (a credit note is not "due on"). A tenant's own texts
 * (an automation rule's subject, body, SMS) may say {{number}}, {{total}}, {{dueDate}}, {{link}}, {{seller}},
 * {{client}} (or {number}, ...), filled in the client's language.
 */
import { LocaleFormat, Texts } from '../documents';
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
  /** The automation run and step that asked for it (a retry of the message retries that run). */
  runId?: string;
  stepIndex?: number;
  /** Until when the current claim holds (status sending): after it, a replay takes the message over. */
  leaseUntil?: string;
  /** Claims so far (1 on the first; each takeover or retry adds one). */
  attempts?: number;
  /** The e-mail's Message-ID header: the same on every (re)send of this message. */
  rfcMessageId?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type { MessageRecord as Info };

export interface OutgoingEmail {
  /** The Message-ID header (`<id@domain>`): stable per message, so a resend is recognisable as a copy. */
  messageId?: string;
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

const KINDS = ['invoice', 'credit_note', 'proforma', 'quote'] as const;
type TextKind = (typeof KINDS)[number] | 'reminder';

/** The wording a subject gets: its document type (a reminder is asked for by the caller). */
export function textKind(s: DeliverySubject): (typeof KINDS)[number] {
  const kind = s.kind ?? s.type;
  return (KINDS as readonly string[]).includes(kind) ? (kind as (typeof KINDS)[number]) : s.type === 'quote' ? 'quote' : 'invoice';
}

/**
 * The values a text may name, formatted in the language given: number, total (and credited: a credit note's
 * amount without its sign), dueDate, seller, client, link.
 */
export function textValues(input: { subject: DeliverySubject; sellerName: string; link: string; locale: string }): Record<string, string> {
  const { subject: s, locale } = input;
  const intl = LocaleFormat.intlLocale(locale);
  const total = LocaleFormat.formatMoney(s.total, s.currency, intl);
  return {
    number: s.number ?? '',
    total,
    credited: LocaleFormat.formatMoney(s.total.replace(/^-/, ''), s.currency, intl),
    dueDate: s.dueDate ? LocaleFormat.formatDate(s.dueDate, intl) : '',
    seller: input.sellerName,
    client: s.client.name,
    link: input.link,
  };
}

const capitalized = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The e-mail to the client, in its language (`locale`): text and HTML, the public link, and the open pixel.
 * `kind: 'reminder'` words it as a reminder of an overdue invoice (`overdueDays` days past due).
 */
export function invoiceEmail(input: {
  subject: DeliverySubject;
  sellerName: string;
  token: string;
  baseUrl: string;
  customSubject?: string;
  customBody?: string;
  locale?: string;
  kind?: TextKind;
  overdueDays?: number;
}) {
  const { subject: s } = input;
  const locale = input.locale ?? 'en';
  const t = Texts.translator(locale);
  const link = `${input.baseUrl.replace(/\/$/, '')}/p/${input.token}`;
  const values = textValues({ subject: s, sellerName: input.sellerName, link, locale });
  const kind = input.kind ?? textKind(s);
  const title = input.customSubject ? Texts.fillTenantText(input.customSubject, values) : t(`email.${kind}.subject`, values).replace(/\s+/g, ' ').trim();
  const main = t(s.dueDate ? `email.${kind}.body` : `email.${kind}.bodyNoDue`, { ...values, count: input.overdueDays ?? 0 });
  const body = input.customBody
    ? Texts.fillTenantText(input.customBody, values)
    : [t('email.greeting', values), capitalized(main), t('email.viewOnline', values), `${t('email.signOff')}\n${input.sellerName}`].join('\n\n');
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
  /** The client's language (default English) and the document's type (default invoice). */
  locale?: string;
  kind?: TextKind;
}): string {
  const locale = input.locale ?? 'en';
  const kind = input.kind ?? 'invoice';
  const subject: DeliverySubject = {
    type: kind === 'quote' ? 'quote' : 'invoice',
    tenantId: '',
    id: '',
    number: input.number,
    currency: input.currency,
    total: input.total,
    dueDate: input.dueDate ?? null,
    client: { name: '' },
  };
  const names = /\{\{\s*link\s*\}\}|\{link\}/;
  const build = (seller: string) => {
    const values = textValues({ subject, sellerName: seller, link: input.url, locale });
    if (input.custom) {
      const text = Texts.fillTenantText(input.custom, values);
      return names.test(input.custom) ? text : `${text} ${input.url}`;
    }
    const key = kind === 'invoice' && !input.dueDate ? 'sms.invoiceNoDue' : kind === 'reminder' && !input.dueDate ? 'sms.invoiceNoDue' : `sms.${kind}`;
    return `${Texts.text(locale, key, values)} ${input.url}`;
  };
  let text = build(input.sellerName);
  for (let keep = input.sellerName.length - 1; smsSegments(text).segments > 2 && keep >= 3; keep--) {
    text = build(`${input.sellerName.slice(0, keep).trimEnd()}…`);
  }
  return text;
}

export function renderPlaceholders(template: string, values: Record<string, string>): string {
  return Texts.fillTenantText(template, values);
}

/**
 * What the seller's own people are told (notify_responsible), in the tenant's language: a quote accepted by the
 * client (who signed, when, and the invoice that followed), or any other subject entering a stage.
 */
export function notificationEmail(input: { subject: DeliverySubject; locale: string; message?: string }): { subject: string; text: string } {
  const { subject: s, locale } = input;
  const t = Texts.translator(locale);
  const intl = LocaleFormat.intlLocale(locale);
  const values = {
    number: s.number ?? s.id,
    client: s.client.name,
    total: LocaleFormat.formatMoney(s.total, s.currency, intl),
    document: t(`kind.${textKind(s)}`),
    stage: s.stage ?? '',
  };
  if (s.type === 'quote' && s.acceptance) {
    const lines = [
      t('notify.quoteAcceptedBody', { ...values, signer: s.acceptance.signerName, date: LocaleFormat.formatDate(s.acceptance.signedAt, intl) }),
      s.invoiceId ? t('notify.invoiceFollows', { invoice: s.invoiceId }) : '',
    ];
    return { subject: t('notify.quoteAcceptedSubject', values), text: [input.message ?? '', ...lines].filter(Boolean).join('\n') };
  }
  return { subject: t('notify.stageSubject', values), text: [input.message ?? '', t('notify.stageBody', values)].filter(Boolean).join('\n') };
}
