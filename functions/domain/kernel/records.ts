/**
 * Tenant-owned records: how a new one is made, how empty fields are dropped, and what the API shows of one.
 */
import { newId, nowIso, type IdKind } from './ids';
import type { Owned } from './ports';

/** A new tenant-owned record: ids, version and timestamps are the server's, never the caller's. */
export function newRecord<T extends object>(kind: IdKind, tenantId: string, input: T): T & Owned {
  const now = nowIso();
  return { ...input, tenantId, id: newId(kind), version: 1, createdAt: now, updatedAt: now };
}

/** The fields that hold something (undefined, null and '' dropped): how snapshots and copies are kept. */
export function withoutEmpty<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null && v !== '')) as T;
}

/** What the API shows of a record: internal lookup keys and the tenant stay inside. */
export function publicView<T extends object>(record: T): Omit<T, 'tenantId' | 'emailKey' | 'phoneKey' | 'taxIdKey'> {
  const { tenantId: _t, emailKey: _e, phoneKey: _p, taxIdKey: _x, ...rest } = record as Record<string, unknown>;
  // '' is how the table stores "none" for indexed optional attributes
  for (const [k, v] of Object.entries(rest)) if (v === '') delete rest[k];
  return rest as Omit<T, 'tenantId' | 'emailKey' | 'phoneKey' | 'taxIdKey'>;
}
