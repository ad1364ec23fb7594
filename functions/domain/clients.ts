import { newId, nowIso, type IdKind } from './ids';
import type { Owned } from './ports';
import { normalizeEmail, toE164 } from './text';

/** Normalized lookup keys, so duplicates are found whatever the spelling (lead conversion). */
export function taxIdKey(taxId: string | undefined | null): string | undefined {
  const key = taxId?.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return key || undefined;
}

export function lookupKeys(input: { email?: string | null; phone?: string | null; taxId?: string | null }) {
  return {
    emailKey: input.email ? normalizeEmail(input.email) : '',
    phoneKey: input.phone ? (toE164(input.phone) ?? '') : '',
    taxIdKey: taxIdKey(input.taxId) ?? '',
  };
}

/** A new tenant-owned record: ids, version and timestamps are the server's, never the caller's. */
export function newRecord<T extends object>(kind: IdKind, tenantId: string, input: T): T & Owned {
  const now = nowIso();
  return { ...input, tenantId, id: newId(kind), version: 1, createdAt: now, updatedAt: now };
}

/** The keys to keep in step when a PATCH changes e-mail, phone or tax id ('' takes a record out of the index). */
export function lookupKeyChanges(changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('email' in changes) out.emailKey = changes.email ? normalizeEmail(String(changes.email)) : '';
  if ('phone' in changes) out.phoneKey = changes.phone ? (toE164(String(changes.phone)) ?? '') : '';
  if ('taxId' in changes) out.taxIdKey = taxIdKey(changes.taxId as string | null) ?? '';
  return out;
}

/** What the API shows of a record: internal lookup keys and the tenant stay inside. */
export function publicView<T extends Record<string, unknown>>(record: T): Omit<T, 'tenantId' | 'emailKey' | 'phoneKey' | 'taxIdKey'> {
  const { tenantId: _t, emailKey: _e, phoneKey: _p, taxIdKey: _x, ...rest } = record as Record<string, unknown>;
  // '' is how the table stores "none" for indexed optional attributes
  for (const [k, v] of Object.entries(rest)) if (v === '') delete rest[k];
  return rest as Omit<T, 'tenantId' | 'emailKey' | 'phoneKey' | 'taxIdKey'>;
}
