/**
 * Tenant settings: the seller's legal details printed on documents, the document locale and colours, the
 * sender details of e-mail and SMS, and the images (logo, stamp, signature) documents may show.
 *
 * Images arrive as base64 bytes and are only ever handed to Chromium from memory, through the renderer's
 * asset store. Only PNG and JPEG are accepted, recognised by their magic bytes (the declared type must
 * agree): SVG is refused, since it is a document of its own that can carry scripts and references.
 * An image is stored under a key derived from its content (`tenant/{id}/assets/{name}-{sha8}.{ext}`),
 * so re-uploading the same image writes the same object.
 *
 * Pure: hashing and base64 only; storage comes in through the caller.
 */
import { createHash } from 'node:crypto';
import { DOCUMENT_LOCALES } from './print-model';
import { isCurrency, RuleViolation, type FieldError } from '../kernel';

export const IMAGE_NAMES = ['logo', 'stamp', 'signature'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

/** Largest accepted image, in bytes (decoded). */
export const MAX_IMAGE_BYTES = 512 * 1024;

export const IMAGE_TYPES = { 'image/png': 'png', 'image/jpeg': 'jpg' } as const;
export type ImageContentType = keyof typeof IMAGE_TYPES;

export interface StoredImage {
  /** The object's key in the documents bucket. */
  key: string;
  contentType: ImageContentType;
  size: number;
  sha256: string;
}

export interface SellerDetails {
  name?: string;
  legalName?: string;
  legalForm?: string;
  taxId?: string;
  address?: { line1: string; line2?: string; city: string; postalCode: string; region?: string; country: string };
  email?: string;
  phone?: string;
  bankAccount?: { iban?: string; bic?: string; bankName?: string; accountNumber?: string };
}

/** The settings' fields besides the images: the same in the stored settings and in a change of them. */
interface SettingsFields extends SellerDetails {
  locale: string;
  senderName?: string;
  replyTo?: string;
  notifyEmail?: string;
  smsSenderId?: string;
  brandColor?: string;
  defaultCurrency?: string;
  paymentTerms?: string;
  /** The tenant's IANA time zone (Europe/Madrid): its "today" for overdue invoices, reminders and recurring dates; default UTC. */
  timeZone?: string;
  /** Days a quote's page stays reachable after its validity (sales: Quote.linkGraceDays; default 30). */
  quoteLinkGraceDays?: number;
  /** Daily quotas of e-mails and SMS to clients (delivery: Limits.sendingLimits; defaults there). */
  sendingLimits?: { emailPerDay?: number; smsPerDay?: number };
  /** The most a simplified invoice (F2) may total, VAT included (default 400.00, at most 3000.00: RD 1619/2012 art. 4). */
  simplifiedInvoiceLimit?: string;
  /** The accounts of the journal export (reporting; defaults 430/700/477/4730/572 there). */
  accounting?: { accounts?: Partial<Record<JournalAccountName, string>> };
}

export const JOURNAL_ACCOUNT_NAMES = ['receivable', 'revenue', 'vat', 'withholding', 'bank'] as const;
export type JournalAccountName = (typeof JOURNAL_ACCOUNT_NAMES)[number];

/** The journal accounts the settings give (only well-formed ones: digits). */
export function journalAccounts(stored: unknown): Partial<Record<JournalAccountName, string>> {
  const accounts = (stored as { accounting?: { accounts?: Record<string, unknown> } } | null | undefined)?.accounting?.accounts;
  if (!accounts || typeof accounts !== 'object') return {};
  return Object.fromEntries(
    JOURNAL_ACCOUNT_NAMES.flatMap((n) => (typeof accounts[n] === 'string' && /^\d{1,20}$/.test(accounts[n] as string) ? [[n, accounts[n] as string]] : [])),
  );
}

/**
 * The part of the tenant's settings this module manages: the seller's details printed on documents (flat:
 * name, legalName, legalForm, taxId, address, email, phone, bankAccount), the document locale, sender
 * details, brand colour, default currency, payment terms and images. Other keys on the record are kept.
 */
export interface DocumentSettings extends SettingsFields {
  images?: Partial<Record<ImageName, StoredImage>>;
}

const SELLER_TEXT = ['name', 'legalName', 'legalForm', 'taxId', 'email', 'phone'] as const;
const OTHER_TEXT = ['senderName', 'replyTo', 'notifyEmail', 'smsSenderId', 'brandColor', 'defaultCurrency', 'paymentTerms', 'timeZone'] as const;

export const MANAGED_SETTINGS = [
  'locale',
  ...SELLER_TEXT,
  'address',
  'bankAccount',
  ...OTHER_TEXT,
  'quoteLinkGraceDays',
  'sendingLimits',
  'simplifiedInvoiceLimit',
  'accounting',
  'images',
] as const;

export const DEFAULT_SETTINGS_LOCALE = 'en';

/** The managed settings of a stored settings object (anything unknown or malformed is left out). */
export function documentSettingsOf(stored: unknown): DocumentSettings {
  const s = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
  const out: DocumentSettings = {
    locale: typeof s.locale === 'string' && (DOCUMENT_LOCALES as readonly string[]).includes(s.locale) ? s.locale : DEFAULT_SETTINGS_LOCALE,
  };
  for (const key of [...SELLER_TEXT, ...OTHER_TEXT]) {
    if (typeof s[key] === 'string' && s[key] !== '') out[key] = s[key] as string;
  }
  if (Number.isInteger(s.quoteLinkGraceDays)) out.quoteLinkGraceDays = s.quoteLinkGraceDays as number;
  if (s.sendingLimits && typeof s.sendingLimits === 'object') out.sendingLimits = s.sendingLimits as SettingsFields['sendingLimits'];
  if (typeof s.simplifiedInvoiceLimit === 'string' && /^\d{1,4}(\.\d{1,2})?$/.test(s.simplifiedInvoiceLimit))
    out.simplifiedInvoiceLimit = s.simplifiedInvoiceLimit;
  const accounts = journalAccounts(s);
  if (Object.keys(accounts).length > 0) out.accounting = { accounts };
  if (s.address && typeof s.address === 'object') out.address = s.address as SellerDetails['address'];
  if (s.bankAccount && typeof s.bankAccount === 'object') out.bankAccount = s.bankAccount as SellerDetails['bankAccount'];
  if (s.images && typeof s.images === 'object') {
    const images: Partial<Record<ImageName, StoredImage>> = {};
    for (const name of IMAGE_NAMES) {
      const image = (s.images as Record<string, unknown>)[name] as StoredImage | undefined;
      if (image && typeof image.key === 'string' && image.contentType in IMAGE_TYPES) images[name] = image;
    }
    if (Object.keys(images).length > 0) out.images = images;
  }
  return out;
}

/** True when the settings give any of the seller's own details (beyond the tenant's name). */
export function hasSellerDetails(settings: DocumentSettings): boolean {
  return Boolean(settings.legalName || settings.taxId || settings.address || settings.email || settings.phone || settings.bankAccount || settings.name);
}

/** What the image's bytes are, from their magic numbers; null for anything but PNG and JPEG. */
export function sniffImage(bytes: Uint8Array): ImageContentType | null {
  const starts = (...sig: number[]) => bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  return null;
}

/** For a clearer message only: SVG is refused like any other non-PNG/JPEG content. */
function looksLikeSvg(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 1024)).toString('utf8').toLowerCase().includes('<svg');
}

export interface DecodedImage {
  name: ImageName;
  bytes: Buffer;
  contentType: ImageContentType;
  sha256: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes and checks an uploaded image: base64 (a `data:image/...;base64,` prefix is tolerated), at most
 * MAX_IMAGE_BYTES, PNG or JPEG by content, agreeing with the declared type if one is given.
 * Returns the image, or the problems as field errors.
 */
export function decodeImage(
  name: ImageName,
  input: { data: string; contentType?: string },
): { ok: true; image: DecodedImage } | { ok: false; errors: FieldError[] } {
  const field = `images.${name}`;
  const fail = (message: string, at = `${field}.data`) => ({ ok: false as const, errors: [{ field: at, message }] });
  let data = input.data.trim();
  const dataUrl = /^data:([\w.+/-]+)?(;[\w=.-]+)*;base64,/i.exec(data);
  let declared = input.contentType;
  if (dataUrl) {
    declared ??= dataUrl[1]?.toLowerCase();
    data = data.slice(dataUrl[0].length);
  }
  data = data.replace(/\s+/g, '');
  if (declared && /svg/i.test(declared)) {
    return fail('SVG images are not accepted (they can carry scripts and external references): upload a PNG or JPEG', `${field}.contentType`);
  }
  if (data === '' || data.length % 4 === 1 || !BASE64.test(data)) return fail('must be the image bytes in base64');
  if (Math.floor((data.length * 3) / 4) > MAX_IMAGE_BYTES + 3) {
    return fail(`the image is larger than ${MAX_IMAGE_BYTES / 1024} KB`);
  }
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > MAX_IMAGE_BYTES) return fail(`the image is larger than ${MAX_IMAGE_BYTES / 1024} KB`);
  const sniffed = sniffImage(bytes);
  if (!sniffed) {
    return fail(
      looksLikeSvg(bytes)
        ? 'SVG images are not accepted (they can carry scripts and external references): upload a PNG or JPEG'
        : 'the data is not a PNG or JPEG image',
    );
  }
  if (declared && declared !== sniffed && !(declared === 'image/jpg' && sniffed === 'image/jpeg')) {
    return fail(`the data is ${sniffed}, not ${declared}`, `${field}.contentType`);
  }
  return {
    ok: true,
    image: { name, bytes, contentType: sniffed, sha256: createHash('sha256').update(bytes).digest('hex') },
  };
}

/** `tenant/{tenantId}/assets/{name}-{sha8}.{ext}`: a key per content. */
export function imageKey(tenantId: string, image: Pick<DecodedImage, 'name' | 'sha256' | 'contentType'>): string {
  return `tenant/${tenantId}/assets/${image.name}-${image.sha256.slice(0, 8)}.${IMAGE_TYPES[image.contentType]}`;
}

/** The name an image is served under to the renderer (the last segment of its key: `logo-1a2b3c4d.png`). */
export function imageAssetName(image: StoredImage): string {
  return image.key.slice(image.key.lastIndexOf('/') + 1);
}

/** An image in a settings change: absent keeps the current one, null removes it, data replaces it. */
export type ImageChange = { data: string; contentType?: string } | null | undefined;

/** A change of the settings: the fields as they will be stored, and per image absent (keep), null (remove) or new data. */
export interface SettingsInput extends SettingsFields {
  images?: Partial<Record<ImageName, ImageChange>>;
}

/** Decodes every image the change uploads; throws RuleViolation listing every bad one. */
export function decodeUploads(input: SettingsInput): DecodedImage[] {
  const decoded: DecodedImage[] = [];
  const errors: FieldError[] = [];
  for (const name of IMAGE_NAMES) {
    const change = input.images?.[name];
    if (!change) continue;
    const result = decodeImage(name, change);
    if (result.ok) decoded.push(result.image);
    else errors.push(...result.errors);
  }
  if (errors.length > 0) throw new RuleViolation('some images cannot be used', errors);
  return decoded;
}

/**
 * The settings after a PUT: managed fields replaced by the input (absent ones cleared), images kept,
 * removed or replaced one by one, every other stored key kept as it was.
 */
export function applySettings(
  stored: Record<string, unknown> | undefined,
  input: SettingsInput,
  uploaded: { name: ImageName; image: StoredImage }[],
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...(stored ?? {}) };
  for (const key of MANAGED_SETTINGS) delete next[key];
  const current = documentSettingsOf(stored);
  const { images: imageChanges, ...fields } = input;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) next[key] = value;
  const images: Partial<Record<ImageName, StoredImage>> = {};
  for (const name of IMAGE_NAMES) {
    const change = imageChanges?.[name];
    const replaced = uploaded.find((u) => u.name === name);
    if (replaced) images[name] = replaced.image;
    else if (change === undefined && current.images?.[name]) images[name] = current.images[name];
  }
  if (Object.keys(images).length > 0) next.images = images;
  return next;
}

export const FALLBACK_CURRENCY = 'EUR';

/** The tenant's default currency (for deals, quotes and invoices made without one): its setting, else EUR. */
export function defaultCurrency(settings: unknown): string {
  const code = (settings as { defaultCurrency?: unknown } | null | undefined)?.defaultCurrency;
  return isCurrency(code) ? code : FALLBACK_CURRENCY;
}

/** How long a quote's page stays reachable after its validity ends, unless the tenant sets otherwise. */
export const DEFAULT_QUOTE_LINK_GRACE_DAYS = 30;
export const MAX_QUOTE_LINK_GRACE_DAYS = 365;

/** The tenant's grace period for quote links, in days: settings.quoteLinkGraceDays when valid, else the default. */
export function quoteLinkGraceDays(settings: unknown): number {
  const days = (settings as { quoteLinkGraceDays?: unknown } | null | undefined)?.quoteLinkGraceDays;
  return Number.isInteger(days) && (days as number) >= 0 && (days as number) <= MAX_QUOTE_LINK_GRACE_DAYS ? (days as number) : DEFAULT_QUOTE_LINK_GRACE_DAYS;
}

/** A tenant's daily quotas of e-mails and SMS to clients (delivery counts them; issue 14 §3). */
export interface SendingLimits {
  emailPerDay: number;
  smsPerDay: number;
}

export const DEFAULT_SENDING_LIMITS: SendingLimits = { emailPerDay: 500, smsPerDay: 100 };
/** What a tenant may raise its own limits to; beyond it, ask the operator. */
export const MAX_SENDING_LIMITS: SendingLimits = { emailPerDay: 20_000, smsPerDay: 5_000 };

const within = (value: unknown, max: number, fallback: number) =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max ? (value as number) : fallback;

/** The tenant's daily limits: its settings where valid, else the defaults. */
export function sendingLimits(settings: unknown): SendingLimits {
  const l = ((settings as { sendingLimits?: unknown } | null | undefined)?.sendingLimits ?? {}) as Record<string, unknown>;
  return {
    emailPerDay: within(l.emailPerDay, MAX_SENDING_LIMITS.emailPerDay, DEFAULT_SENDING_LIMITS.emailPerDay),
    smsPerDay: within(l.smsPerDay, MAX_SENDING_LIMITS.smsPerDay, DEFAULT_SENDING_LIMITS.smsPerDay),
  };
}

/** The default and the highest limit of a simplified invoice, VAT included (RD 1619/2012 art. 4: 400 EUR; 3,000 EUR for art. 4.2 activities). */
export const DEFAULT_SIMPLIFIED_INVOICE_LIMIT = '400.00';
export const MAX_SIMPLIFIED_INVOICE_LIMIT = '3000.00';

/** The tenant's limit for simplified invoices: settings.simplifiedInvoiceLimit when valid (at most 3000.00), else 400.00. */
export function simplifiedInvoiceLimit(settings: unknown): string {
  const limit = documentSettingsOf(settings).simplifiedInvoiceLimit;
  return limit !== undefined && Number(limit) > 0 && Number(limit) <= Number(MAX_SIMPLIFIED_INVOICE_LIMIT) ? limit : DEFAULT_SIMPLIFIED_INVOICE_LIMIT;
}
