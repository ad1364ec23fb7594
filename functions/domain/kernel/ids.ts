import { createHash } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

export const ID_PREFIX = {
  tenant: 'ten',
  user: 'usr',
  apiKey: 'key',
  company: 'cmp',
  contact: 'con',
  product: 'prd',
  lead: 'lead',
  deal: 'deal',
  quote: 'quo',
  invoice: 'inv',
  document: 'doc',
  payment: 'pay',
  allocation: 'alc',
  reversal: 'rev',
  refund: 'rfd',
  bankImport: 'imp',
  template: 'tpl',
  rule: 'rule',
  event: 'evt',
  message: 'msg',
  run: 'run',
  timeline: 'tl',
  webhook: 'whk',
  recurringInvoice: 'rec',
  scheduledSend: 'ssd',
  reminder: 'rmd',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/** A ULID-based id with a type prefix: sortable by creation time, opaque to clients. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}_${next().toLowerCase()}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** A deterministic id from a cause: the same parts always name the same record (a run, its document, its message). */
export function derivedId(kind: IdKind, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  // 26 chars of Crockford-like base32 so derived ids look like (and sort apart from) ULID ids
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  let out = '';
  for (let i = 0; i < 26; i++) out += alphabet[digest[i] % 32];
  return `${ID_PREFIX[kind]}_${out}`;
}
