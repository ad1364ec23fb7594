/**
 * Clients: the companies and contacts a tenant sells to, as the other areas read them, and the snapshot of
 * a client that a quote or an invoice freezes.
 */
import { RuleViolation, withoutEmpty, type FieldError } from '../kernel';

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
  phoneE164?: string;
  address?: Address;
  responsibleUserId?: string;
  /** The client's language (en, es, ru, ro, optionally with a region): what it receives is in it. */
  locale?: string;
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
  phoneE164?: string;
  companyId?: string;
  address?: Address;
  taxId?: string;
  responsibleUserId?: string;
  /** The client's language (en, es, ru, ro, optionally with a region): what it receives is in it. */
  locale?: string;
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
  /** The phone in E.164 (what an SMS is sent to), when the record had a valid one. */
  phoneE164?: string;
  address?: Address;
  /** The person to address at a company client (quotes; an invoice names none). */
  contactId?: string;
  contactName?: string;
  /** The client's own language, when it has one (the contact person's first): every text it receives is in it. */
  locale?: string;
}

export function contactName(contact: Pick<ContactRecord, 'firstName' | 'lastName'>): string {
  return `${contact.firstName} ${contact.lastName}`.trim();
}

/** The snapshot of a company client (with the contact person, when one is given), or of a contact. */
export function snapshot(company: CompanyRecord | null, contact: ContactRecord | null): ClientSnapshot | null {
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
      phoneE164: company.phone ? company.phoneE164 : contact?.phoneE164,
      address: company.address && Object.keys(company.address).length ? company.address : undefined,
      contactId: contact?.id,
      contactName: contact ? contactName(contact) : undefined,
      locale: contact?.locale ?? company.locale,
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
      phoneE164: contact.phoneE164,
      address: contact.address && Object.keys(contact.address).length ? contact.address : undefined,
      locale: contact.locale,
    });
  }
  return null;
}

/**
 * Loads the company and contact a sales object links to, as one tenant sees them. A missing or
 * foreign id is a 422 naming the field (the caller referenced something that does not exist).
 */
export async function resolve(
  clients: ClientDirectory,
  tenantId: string,
  ids: { companyId?: string | null; contactId?: string | null },
): Promise<{ company: CompanyRecord | null; contact: ContactRecord | null }> {
  const [company, contact] = await Promise.all([
    ids.companyId ? clients.company(tenantId, ids.companyId) : null,
    ids.contactId ? clients.contact(tenantId, ids.contactId) : null,
  ]);
  const errors: FieldError[] = [];
  if (ids.companyId && !company) errors.push({ field: 'companyId', message: 'no such company' });
  if (ids.contactId && !contact) errors.push({ field: 'contactId', message: 'no such contact' });
  if (errors.length) throw new RuleViolation('a linked client does not exist', errors);
  return { company, contact };
}
