/**
 * Duplicate clients: existing companies and contacts with the same normalized e-mail, phone (E.164) or tax id
 * as a new one (a lead being converted), grouped per record and ranked best first.
 */
import type { LookupKeys } from './lookup';

export type DuplicateKey = 'email' | 'phone' | 'taxId';

/** One existing client found by one normalized key. */
export interface DuplicateMatch {
  type: 'company' | 'contact';
  id: string;
  name: string;
  on: DuplicateKey;
  createdAt: string;
}

export interface DuplicateCandidate {
  type: 'company' | 'contact';
  id: string;
  name: string;
  matchedOn: DuplicateKey[];
}

export interface DuplicateFinder {
  /** Contacts by e-mail and phone; with `companies`, companies by tax id, e-mail and phone. '' keys are skipped. */
  find(tenantId: string, keys: LookupKeys, scope: { companies: boolean }): Promise<DuplicateMatch[]>;
}

const KEY_ORDER: DuplicateKey[] = ['taxId', 'email', 'phone'];

/** Matches grouped per record, each with every key it matched on (tax id, e-mail, phone order). */
export function group(matches: DuplicateMatch[]): (DuplicateCandidate & { createdAt: string })[] {
  const byRecord = new Map<string, DuplicateCandidate & { createdAt: string }>();
  for (const m of matches) {
    const key = `${m.type}:${m.id}`;
    const found = byRecord.get(key) ?? { type: m.type, id: m.id, name: m.name, matchedOn: [], createdAt: m.createdAt };
    if (!found.matchedOn.includes(m.on)) found.matchedOn.push(m.on);
    byRecord.set(key, found);
  }
  const candidates = [...byRecord.values()];
  for (const c of candidates) c.matchedOn.sort((a, b) => KEY_ORDER.indexOf(a) - KEY_ORDER.indexOf(b));
  return candidates.sort(compareCandidates);
}

/**
 * Best first: companies before contacts, then more matching keys, then the strongest key (tax id,
 * e-mail, phone), then the oldest record (the one people have been using).
 */
function compareCandidates(a: DuplicateCandidate & { createdAt: string }, b: DuplicateCandidate & { createdAt: string }): number {
  if (a.type !== b.type) return a.type === 'company' ? -1 : 1;
  if (a.matchedOn.length !== b.matchedOn.length) return b.matchedOn.length - a.matchedOn.length;
  const strongest = (c: DuplicateCandidate) => Math.min(...c.matchedOn.map((k) => KEY_ORDER.indexOf(k)));
  if (strongest(a) !== strongest(b)) return strongest(a) - strongest(b);
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1;
}

/** The best candidate of a type, or undefined. */
export function best(candidates: DuplicateCandidate[], type: 'company' | 'contact'): DuplicateCandidate | undefined {
  return candidates.find((c) => c.type === type);
}
