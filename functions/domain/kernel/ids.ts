import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

export const ID_PREFIX = {
  tenant: 'ten', user: 'usr', apiKey: 'key', company: 'cmp', contact: 'con', product: 'prd',
  lead: 'lead', deal: 'deal', quote: 'quo', invoice: 'inv', document: 'doc', payment: 'pay',
  template: 'tpl', rule: 'rule', event: 'evt', message: 'msg', run: 'run', timeline: 'tl',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/** A ULID-based id with a type prefix: sortable by creation time, opaque to clients. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}_${next().toLowerCase()}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}
