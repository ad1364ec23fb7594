/**
 * Converting a lead: into a deal + contact (an individual) or a deal + contact + company (a legal
 * entity). Existing clients with the same normalized e-mail, phone (E.164) or tax id are duplicates:
 * the caller decides (409 with the candidates) to link them ('use') or to create anyway ('create').
 * Everything is written in ONE transaction (company, contact, deal, outbox event, and the lead's
 * version-conditioned update last), so a failure leaves nothing half-created.
 */
import { leadConverted } from '../../../events/lead-converted';
import { ClientLookup, Duplicates, type ClientDirectory, type CompanyRecord, type ContactRecord, type DuplicateFinder, type LookupKeys } from '../clients';
import {
  Conflict,
  missingFields,
  newRecord,
  NotFound,
  nowIso,
  pendingEvent,
  RuleViolation,
  staleVersion,
  type ItemCommand,
  type PendingEvent,
} from '../kernel';
import { newDealRecord, type Deal } from './deal';
import { get as getLead, type Lead, type LeadLinks, type LeadStore } from './lead';
import type { PipelineSource } from './pipeline-settings';

export type OnDuplicate = 'use' | 'create';

export interface ConversionPlan {
  tenantId: string;
  leadId: string;
  /** The lead's version when read: the transaction's last item is conditioned on it. */
  expectedVersion: number;
  leadChanges: Record<string, unknown>;
  /** New records to put (absent when an existing one is linked). */
  company?: CompanyRecord;
  contact?: ContactRecord;
  deal: Deal;
  events: PendingEvent[];
}

/** Why the transaction was refused: the lead changed (its condition, last item) or another item collided. */
export type CommitOutcome = { ok: true } | { ok: false; reason: 'lead_changed' | 'collision' | 'conflict' };

export interface ConversionPorts {
  leads: Pick<LeadStore, 'get'>;
  duplicates: DuplicateFinder;
  clients: ClientDirectory;
  pipelines: PipelineSource;
  /** Writes the whole plan in one transaction, or nothing. */
  commitConversion(plan: ConversionPlan): Promise<CommitOutcome>;
  /** The tenant's default currency (settings.defaultCurrency, else EUR): the new deal's, unless given. */
  defaultCurrency(tenantId: string): Promise<string>;
}

/** The lead to convert is `id`. */
export interface ConvertInput extends ItemCommand {
  onDuplicate?: OnDuplicate;
  dealTitle?: string;
  /** The new deal's currency (default: the tenant's). */
  currency?: string;
}

export interface ConversionResult {
  lead: Lead;
  deal: Deal;
  contact: ContactRecord;
  company?: CompanyRecord;
  reused: { contact: boolean; company: boolean };
}

/** The normalized keys of a lead: its contact's e-mail and phone, its company's tax id. */
export function leadKeys(lead: Pick<Lead, 'contact' | 'company'>): LookupKeys {
  const { emailKey, phoneKey, taxIdKey } = ClientLookup.keys({ email: lead.contact.email, phone: lead.contact.phone, taxId: lead.company?.taxId });
  return { emailKey, phoneKey, taxIdKey };
}

function requireConvertible(lead: Lead, expectedVersion: number | undefined): void {
  if (lead.status === 'converted') {
    throw new Conflict('the lead is already converted', [{ field: 'status', message: 'converted' }], { links: lead.links });
  }
  if (lead.status !== 'open') {
    throw new Conflict(`the lead is ${lead.status}; only an open lead can be converted`, [{ field: 'status', message: lead.status }]);
  }
  if (expectedVersion !== undefined && expectedVersion !== lead.version) throw staleVersion(expectedVersion, lead.version);
}

/** The new company of a legal-entity lead: its name, tax id and city (the rest is filled in later). */
function companyFromLead(lead: Lead): CompanyRecord {
  const company = lead.company!;
  return newRecord('company', lead.tenantId, {
    name: company.name,
    ...(company.taxId ? { taxId: company.taxId } : {}),
    address: lead.city ? { city: lead.city } : {},
    ...(lead.responsibleUserId ? { responsibleUserId: lead.responsibleUserId } : {}),
    ...ClientLookup.keys({ taxId: company.taxId }),
  }) as unknown as CompanyRecord;
}

function contactFromLead(lead: Lead, companyId: string | undefined): ContactRecord {
  const { firstName, lastName, email, phone, phoneE164 } = lead.contact;
  return newRecord('contact', lead.tenantId, {
    firstName,
    lastName,
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    companyId: companyId ?? '',
    // an individual's city is their address' city; a company lead's city is the company's
    ...(!lead.company && lead.city ? { address: { city: lead.city } } : {}),
    ...(lead.responsibleUserId ? { responsibleUserId: lead.responsibleUserId } : {}),
    ...ClientLookup.keys({ email, phone: phoneE164 ?? phone }),
  }) as unknown as ContactRecord;
}

/**
 * Converts a lead. 409 when it is not open (already converted, junk) or its version is stale, and
 * when duplicates exist and `onDuplicate` is not given (`extra.candidates`, best first); 422 when
 * the tenant's success stage requires fields the lead lacks.
 */
export async function convert(ports: ConversionPorts, input: ConvertInput): Promise<ConversionResult> {
  const lead = await getLead(ports, input);
  requireConvertible(lead, input.expectedVersion);

  const pipeline = await ports.pipelines(input.tenantId, 'lead');
  const success = pipeline.stages.find((s) => s.kind === 'success');
  if (!success) throw new RuleViolation('the lead pipeline has no success stage to convert into');
  const missing = missingFields(lead, success, 'lead');
  if (missing.length) throw new RuleViolation(`the lead lacks what stage "${success.id}" requires`, missing, { stage: success.id });

  const isCompany = Boolean(lead.company);
  const matches = await ports.duplicates.find(input.tenantId, leadKeys(lead), { companies: isCompany });
  const candidates = Duplicates.group(matches);
  if (candidates.length && !input.onDuplicate) {
    throw new Conflict(
      `${candidates.length} existing client(s) match this lead; convert again with onDuplicate "use" or "create"`,
      [{ field: 'onDuplicate', message: 'required when duplicates exist: "use" or "create"' }],
      { candidates: candidates.map(({ createdAt: _c, ...c }) => c) },
    );
  }

  // Which existing records to link ('use'), which to create.
  const use = input.onDuplicate === 'use';
  const existingCompanyId = use && isCompany ? Duplicates.best(candidates, 'company')?.id : undefined;
  const existingContactId = use ? Duplicates.best(candidates, 'contact')?.id : undefined;
  const [existingCompany, existingContact] = await Promise.all([
    existingCompanyId ? ports.clients.company(input.tenantId, existingCompanyId) : null,
    existingContactId ? ports.clients.contact(input.tenantId, existingContactId) : null,
  ]);

  const newCompany = isCompany && !existingCompany ? companyFromLead(lead) : undefined;
  const company = existingCompany ?? newCompany;
  const newContact = existingContact ? undefined : contactFromLead(lead, company?.id);
  const contact = (existingContact ?? newContact)!;

  const dealPipeline = await ports.pipelines(input.tenantId, 'deal');
  const deal = newDealRecord(input.tenantId, dealPipeline, {
    title: input.dealTitle ?? lead.title,
    companyId: company?.id,
    contactId: contact.id,
    lines: [],
    currency: input.currency ?? (await ports.defaultCurrency(input.tenantId)),
    responsibleUserId: lead.responsibleUserId,
    leadId: lead.id,
  });

  const links: LeadLinks = { dealId: deal.id, contactId: contact.id, ...(company ? { companyId: company.id } : {}) };
  const convertedAt = nowIso();
  const leadChanges = { stage: success.id, status: 'converted', links, convertedAt, closedAt: convertedAt };
  const reused = { contact: Boolean(existingContact), company: Boolean(existingCompany) };

  const outcome = await ports.commitConversion({
    tenantId: input.tenantId,
    leadId: lead.id,
    expectedVersion: lead.version,
    leadChanges,
    company: newCompany,
    contact: newContact,
    deal,
    events: [
      pendingEvent(input.tenantId, leadConverted.detailType, {
        leadId: lead.id,
        dealId: deal.id,
        contactId: contact.id,
        ...(company ? { companyId: company.id } : {}),
        reusedContact: reused.contact,
        reusedCompany: reused.company,
      }),
    ],
  });

  if (!outcome.ok) {
    if (outcome.reason === 'lead_changed') {
      const latest = await ports.leads.get(input.tenantId, input.id);
      if (!latest) throw new NotFound('lead');
      if (latest.status === 'converted') {
        throw new Conflict('the lead is already converted', [{ field: 'status', message: 'converted' }], { links: latest.links });
      }
      throw staleVersion(lead.version, latest.version);
    }
    throw new Conflict('the conversion collided with a concurrent change; nothing was written, try again');
  }

  const converted: Lead = { ...lead, ...leadChanges, status: 'converted', version: lead.version + 1, updatedAt: convertedAt } as Lead;
  return { lead: converted, deal, contact, ...(company ? { company } : {}), reused };
}
