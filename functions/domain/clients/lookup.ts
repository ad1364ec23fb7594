/**
 * Normalized lookup keys of a client (e-mail, E.164 phone, tax id), kept on the record so that duplicates
 * are found through an index whatever the spelling ('' keeps a record out of that index), and the phone's
 * E.164 form (`phoneE164`), stored beside the form the user typed (`phone`): what SMS are sent to.
 */
import { normalizeEmail, phoneProblem, RuleViolation, toE164 } from '../kernel';

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

/**
 * A phone as given to a client record: valid in its country (`country`, the record's address country, reads
 * national numbers; without one the number needs its country code), else 422 naming the field.
 */
export function checkPhone(phone: string | null | undefined, country: string | undefined, field = 'phone'): void {
  if (!phone) return;
  const problem = phoneProblem(phone, country);
  if (problem) throw new RuleViolation(`${field} ${problem}`, [{ field, message: problem }]);
}

/** The phone's E.164 form, read in the record's country when it is a national number; undefined when it is not a valid number. */
export function phoneE164(phone: string | null | undefined, country?: string): string | undefined {
  return phone ? (toE164(phone, country) ?? undefined) : undefined;
}

/** The lookup keys of a new record, and its phone in E.164 when it has a valid one. */
export function keys(input: {
  email?: string | null;
  phone?: string | null;
  taxId?: string | null;
  address?: { country?: string } | null;
}): LookupKeys & { phoneE164?: string } {
  const e164 = phoneE164(input.phone, input.address?.country);
  return {
    emailKey: input.email ? normalizeEmail(input.email) : '',
    phoneKey: e164 ?? '',
    taxIdKey: taxIdKey(input.taxId) ?? '',
    ...(e164 ? { phoneE164: e164 } : {}),
  };
}

/**
 * The keys to keep in step when a PATCH changes e-mail, phone or tax id ('' takes a record out of the index);
 * a changed phone gets its E.164 form again, read in `country` (the record's address country after the change).
 */
export function keyChanges(changes: Record<string, unknown>, country?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('email' in changes) out.emailKey = changes.email ? normalizeEmail(String(changes.email)) : '';
  if ('phone' in changes) {
    const e164 = phoneE164(changes.phone as string | null, country);
    out.phoneKey = e164 ?? '';
    out.phoneE164 = e164 ?? null;
  }
  if ('taxId' in changes) out.taxIdKey = taxIdKey(changes.taxId as string | null) ?? '';
  return out;
}
