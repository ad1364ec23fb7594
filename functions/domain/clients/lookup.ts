/**
 * Normalized lookup keys of a client (e-mail, E.164 phone, tax id), kept on the record so that duplicates
 * are found through an index whatever the spelling ('' keeps a record out of that index).
 */
import { normalizeEmail, toE164 } from '../kernel';

export interface LookupKeys {
  emailKey: string;
  phoneKey: string;
  taxIdKey: string;
}

/** A tax id as matched: upper case, letters and digits only ('b-123 45' -> 'B12345'). */
export function taxIdKey(taxId: string | undefined | null): string | undefined {
  const key = taxId?.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return key || undefined;
}

/** The lookup keys of a new record. */
export function keys(input: { email?: string | null; phone?: string | null; taxId?: string | null }): LookupKeys {
  return {
    emailKey: input.email ? normalizeEmail(input.email) : '',
    phoneKey: input.phone ? (toE164(input.phone) ?? '') : '',
    taxIdKey: taxIdKey(input.taxId) ?? '',
  };
}

/** The keys to keep in step when a PATCH changes e-mail, phone or tax id ('' takes a record out of the index). */
export function keyChanges(changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('email' in changes) out.emailKey = changes.email ? normalizeEmail(String(changes.email)) : '';
  if ('phone' in changes) out.phoneKey = changes.phone ? (toE164(String(changes.phone)) ?? '') : '';
  if ('taxId' in changes) out.taxIdKey = taxIdKey(changes.taxId as string | null) ?? '';
  return out;
}
