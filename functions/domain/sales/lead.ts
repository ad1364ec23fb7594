/**
 * Leads: a prospect (a person, maybe at a company) moving through the tenant's lead pipeline until it
 * is converted (lead-conversion.ts) or dropped. Verbs take `(ports, command)`; the record type is `Lead.Info`.
 */
import { ClientLookup } from '../clients';
import {
  canMove,
  Conflict,
  findStage,
  unknownStage,
  initialStage,
  missingFields,
  newRecord,
  NotFound,
  nowIso,
  RuleViolation,
  staleVersion,
  type Command,
  type ItemCommand,
  type ItemQuery,
  type Owned,
  type Page,
  type PageRequest,
  type Pipeline,
  type Stage,
} from '../kernel';
import type { PipelineSource } from './pipeline-settings';

export interface LeadContact {
  firstName: string;
  lastName: string;
  email?: string;
  phone?: string;
  /** The phone in E.164 (a lead has no address: its phone is given with its country code). */
  phoneE164?: string;
}

export interface LeadCompany {
  name: string;
  taxId?: string;
}

/** open: being worked; converted: became a deal (final); junk: dropped (final). */
export type LeadStatus = 'open' | 'converted' | 'junk';

export interface LeadLinks {
  dealId: string;
  contactId: string;
  companyId?: string;
}

export interface Lead extends Owned {
  title: string;
  contact: LeadContact;
  company?: LeadCompany;
  city?: string;
  topic?: string;
  stage: string;
  status: LeadStatus;
  responsibleUserId?: string;
  /** What the lead became (set by the conversion). */
  links?: LeadLinks;
  convertedAt?: string;
  closedAt?: string;
}

export interface LeadInput {
  title: string;
  contact: LeadContact;
  company?: LeadCompany;
  city?: string;
  topic?: string;
  stage?: string;
  responsibleUserId?: string;
}

/** A PATCH: `null` clears an optional field; `contact` and `company` merge into what is there. */
export interface LeadChanges {
  title?: string;
  contact?: { firstName?: string; lastName?: string; email?: string | null; phone?: string | null };
  company?: { name?: string; taxId?: string | null } | null;
  city?: string | null;
  topic?: string | null;
  responsibleUserId?: string | null;
}

export interface LeadFilter {
  stage?: string;
}

export interface LeadStore {
  create(lead: Lead): Promise<Lead>;
  get(tenantId: string, id: string): Promise<Lead | null>;
  list(tenantId: string, filter: LeadFilter, page: PageRequest): Promise<Page<Lead>>;
  /** `null` in changes removes the attribute; the write is conditioned on `expectedVersion`. */
  update(tenantId: string, id: string, changes: Record<string, unknown>, expectedVersion: number): Promise<Lead>;
  remove(tenantId: string, id: string, expectedVersion?: number): Promise<void>;
}

export interface LeadPorts {
  leads: LeadStore;
  pipelines: PipelineSource;
}

export type { Lead as Info };

export async function get(ports: { leads: Pick<LeadStore, 'get'> }, query: ItemQuery): Promise<Lead> {
  const lead = await ports.leads.get(query.tenantId, query.id);
  if (!lead) throw new NotFound('lead');
  return lead;
}

function statusOf(stage: Stage): LeadStatus {
  return stage.kind === 'success' ? 'converted' : stage.kind === 'failure' ? 'junk' : 'open';
}

/** The stage to enter, or a 422: unknown, or the success stage (a lead is converted only by converting it). */
function targetStage(pipeline: Pipeline, id: string): Stage {
  const stage = findStage(pipeline, id);
  if (!stage) throw unknownStage(pipeline, id, 'lead');
  if (stage.kind === 'success') {
    throw new RuleViolation(`a lead enters "${id}" only by conversion`, [{ field: 'stage', message: 'use POST /v1/leads/{id}/convert' }]);
  }
  return stage;
}

function requireFields(lead: unknown, stage: Stage): void {
  const missing = missingFields(lead, stage, 'lead');
  if (missing.length) {
    throw new RuleViolation(`the lead lacks what stage "${stage.id}" requires`, missing, { stage: stage.id });
  }
}

function requireOpen(lead: Lead): void {
  if (lead.status !== 'open') {
    throw new Conflict(`the lead is ${lead.status}; it can no longer change`, [{ field: 'status', message: lead.status }], {
      status: lead.status,
      ...(lead.links ? { links: lead.links } : {}),
    });
  }
}

function checkVersion(lead: Lead, expected: number | undefined): number {
  if (expected !== undefined && expected !== lead.version) throw staleVersion(expected, lead.version);
  return lead.version;
}

export async function create(ports: LeadPorts, cmd: Command & { input: LeadInput }): Promise<Lead> {
  const { tenantId, input } = cmd;
  const pipeline = await ports.pipelines(tenantId, 'lead');
  const stage = input.stage ? targetStage(pipeline, input.stage) : initialStage(pipeline);
  const { stage: _ignored, ...fields } = input;
  ClientLookup.checkPhone(input.contact.phone, undefined, 'contact.phone');
  const contact = withPhoneE164(input.contact);
  const lead = newRecord('lead', tenantId, { ...fields, contact, stage: stage.id, status: statusOf(stage) }) as Lead;
  if (lead.status === 'junk') lead.closedAt = lead.createdAt;
  requireFields(lead, stage);
  return ports.leads.create(lead);
}

/** The lead's contact with the E.164 form of its phone beside the typed one. */
function withPhoneE164(contact: LeadContact): LeadContact {
  const e164 = ClientLookup.phoneE164(contact.phone);
  return { ...contact, ...(e164 ? { phoneE164: e164 } : {}) };
}

function merge<T extends object>(current: T | undefined, changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Edits an open lead. The result must still satisfy its current stage's required fields. */
export async function update(ports: LeadPorts, cmd: ItemCommand & { changes: LeadChanges }): Promise<Lead> {
  const { tenantId, id, changes } = cmd;
  const lead = await get(ports, cmd);
  const version = checkVersion(lead, cmd.expectedVersion);
  requireOpen(lead);
  const set: Record<string, unknown> = {};
  for (const key of ['title', 'city', 'topic', 'responsibleUserId'] as const) {
    if (key in changes) set[key] = changes[key];
  }
  if (changes.contact) {
    ClientLookup.checkPhone(changes.contact.phone, undefined, 'contact.phone');
    const { phoneE164: _stale, ...contact } = merge(lead.contact, changes.contact) as unknown as LeadContact;
    set.contact = withPhoneE164(contact);
  }
  if (changes.company === null) set.company = null;
  else if (changes.company) {
    const company = merge(lead.company, changes.company);
    if (!company.name) {
      throw new RuleViolation("a lead's company needs a name", [{ field: 'company.name', message: 'required' }]);
    }
    set.company = company;
  }
  const next = merge(lead, set);
  const pipeline = await ports.pipelines(tenantId, 'lead');
  const stage = findStage(pipeline, lead.stage);
  if (stage) requireFields(next, stage);
  return ports.leads.update(tenantId, id, set, version);
}

/**
 * Moves an open lead to another stage: 422 for an unknown stage, the success stage (conversion only)
 * or missing required fields (every one listed); 409 when the lead is final or the version is stale.
 */
export async function moveToStage(ports: LeadPorts, cmd: ItemCommand & { to: string }): Promise<Lead> {
  const { tenantId, id, to } = cmd;
  const lead = await get(ports, cmd);
  const version = checkVersion(lead, cmd.expectedVersion);
  const pipeline = await ports.pipelines(tenantId, 'lead');
  const target = targetStage(pipeline, to);
  requireOpen(lead);
  const refusal = canMove(pipeline, lead.stage, to);
  if (refusal) throw new Conflict(refusal, [{ field: 'stage', message: refusal }]);
  requireFields(lead, target);
  const status = statusOf(target);
  return ports.leads.update(tenantId, id, { stage: target.id, status, ...(status === 'junk' ? { closedAt: nowIso() } : {}) }, version);
}

export async function remove(ports: Pick<LeadPorts, 'leads'>, cmd: ItemCommand): Promise<void> {
  const lead = await get(ports, cmd);
  checkVersion(lead, cmd.expectedVersion);
  await ports.leads.remove(cmd.tenantId, cmd.id, lead.version);
}

export function list(ports: Pick<LeadPorts, 'leads'>, query: { tenantId: string; filter: LeadFilter; page: PageRequest }): Promise<Page<Lead>> {
  return ports.leads.list(query.tenantId, query.filter, query.page);
}
