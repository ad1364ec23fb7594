import { newId, nowIso, type IdKind } from '../kernel/ids';
import type { Owned } from '../kernel/ports';
import { normalizeEmail, toE164 } from '../kernel/text';

// ---------------------------------------------------------------------------------------------------
// Client records (companies, contacts) as the other features read them: one definition for all

/**
 * A postal address as a client record holds it. The API asks a company for a full address, but a record
 * made by a lead conversion may know only the city, so every part is optional here.
 */
export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  postalCode?: string;
  region?: string;
  country?: string;
}

/** The parts of a company record that leads, deals, quotes and invoices read. */
export interface CompanyRecord {
  tenantId: string;
  id: string;
  name: string;
  legalName?: string;
  legalForm?: string;
  taxId?: string;
  email?: string;
  phone?: string;
  address?: Address;
  responsibleUserId?: string;
  createdAt: string;
  [key: string]: unknown;
}

/** The parts of a contact record that leads, deals, quotes and invoices read. */
export interface ContactRecord {
  tenantId: string;
  id: string;
  firstName: string;
  lastName: string;
  email?: string;
  phone?: string;
  companyId?: string;
  address?: Address;
  taxId?: string;
  responsibleUserId?: string;
  createdAt: string;
  [key: string]: unknown;
}

/** Reads clients of one tenant (another tenant's id answers null, like a missing one). */
export interface ClientDirectory {
  company(tenantId: string, id: string): Promise<CompanyRecord | null>;
  contact(tenantId: string, id: string): Promise<ContactRecord | null>;
}

export type ClientKind = 'company' | 'contact';

/**
 * The client as printed on a quote or an invoice, frozen when the document is made: later edits of
 * the company or contact do not change a sent document. `kind: 'company'` is a legal entity.
 */
export interface ClientSnapshot {
  kind: ClientKind;
  /** The company's or contact's id. */
  id: string;
  name: string;
  legalName?: string;
  legalForm?: string;
  taxId?: string;
  email?: string;
  phone?: string;
  address?: Address;
  /** The person to address at a company client (quotes; an invoice names none). */
  contactId?: string;
  contactName?: string;
}

export function contactName(contact: Pick<ContactRecord, 'firstName' | 'lastName'>): string {
  return `${contact.firstName} ${contact.lastName}`.trim();
}

/** The fields that hold something (undefined, null and '' dropped): how snapshots and copies are kept. */
export function withoutEmpty<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null && v !== '')) as T;
}

/** The snapshot of a company client (with the contact person, when one is given), or of a contact. */
export function clientSnapshot(company: CompanyRecord | null, contact: ContactRecord | null): ClientSnapshot | null {
  if (company) {
    return withoutEmpty<ClientSnapshot>({
      kind: 'company',
      id: company.id,
      name: company.name,
      legalName: company.legalName,
      legalForm: company.legalForm,
      taxId: company.taxId,
      email: company.email ?? contact?.email,
      phone: company.phone ?? contact?.phone,
      address: company.address && Object.keys(company.address).length ? company.address : undefined,
      contactId: contact?.id,
      contactName: contact ? contactName(contact) : undefined,
    });
  }
  if (contact) {
    return withoutEmpty<ClientSnapshot>({
      kind: 'contact',
      id: contact.id,
      name: contactName(contact),
      taxId: contact.taxId,
      email: contact.email,
      phone: contact.phone,
      address: contact.address && Object.keys(contact.address).length ? contact.address : undefined,
    });
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Records and lookup keys

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
