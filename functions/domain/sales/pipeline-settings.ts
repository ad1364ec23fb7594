/**
 * What leads, deals and quotes share: the client snapshot, priced lines, the tenant's pipeline as a
 * port, pending (outbox) events, and the shape an invoice copies from a deal or a quote.
 * Pure: no AWS, no configuration; every outside dependency arrives as a port argument.
 */
import { withoutEmpty, type ClientDirectory, type ClientSnapshot, type CompanyRecord, type ContactRecord } from '../clients/client';
import { Conflict, RuleViolation, staleVersion, type FieldError } from '../kernel/errors';
import { computeInvoice, InvoiceTotalsError, type ComputedLine, type InvoiceTotals, type LineInput } from '../kernel/pricing';
import { isCurrency } from '../kernel/money';
import { DEFAULT_PIPELINES, validatePipeline, type Pipeline, type Stage } from '../kernel/pipeline';
import type { InvoiceSource as InvoicesSource } from '../invoicing/invoice';

// ---------------------------------------------------------------------------------------------------
// Pipelines

export type SalesEntity = 'lead' | 'deal';

/** The tenant's pipeline of an entity kind: its own when saved, else the default. */
export type PipelineSource = (tenantId: string, entity: SalesEntity) => Promise<Pipeline>;

export const defaultPipelines: PipelineSource = async (_tenantId, entity) => DEFAULT_PIPELINES[entity];

/** A tenant's saved pipeline of one kind (the same record kind as the invoice pipeline's). */
export interface StoredPipeline {
  tenantId: string;
  kind: SalesEntity;
  stages: Stage[];
  /** 0 while the tenant has never saved its own (the defaults apply). */
  version: number;
  updatedAt?: string;
  updatedBy?: string;
}

export interface PipelineConfigStore {
  get(tenantId: string, kind: SalesEntity): Promise<StoredPipeline | null>;
  /** Saves when the stored version is `expectedVersion` (0: none yet); throws Conflict otherwise. */
  save(pipeline: StoredPipeline, expectedVersion: number): Promise<StoredPipeline>;
}

/** Whether any lead / deal of the tenant is in a stage (an index query, never a scan). */
export type StageUsage = (tenantId: string, kind: SalesEntity, stageId: string) => Promise<boolean>;

export function pipelineSource(store: Pick<PipelineConfigStore, 'get'>): PipelineSource {
  return async (tenantId, kind) => {
    const stored = await store.get(tenantId, kind);
    return stored ? { stages: stored.stages } : DEFAULT_PIPELINES[kind];
  };
}

/** The pipeline a tenant works with: saved or default (version 0). */
export async function getSalesPipeline(store: Pick<PipelineConfigStore, 'get'>, tenantId: string, kind: SalesEntity): Promise<StoredPipeline> {
  return (await store.get(tenantId, kind)) ?? { tenantId, kind, stages: structuredClone(DEFAULT_PIPELINES[kind].stages) as Stage[], version: 0 };
}

/** A lead or deal pipeline as the API shows it. */
export function pipelineView(p: StoredPipeline) {
  return { entity: p.kind, stages: p.stages, version: p.version, ...(p.updatedAt ? { updatedAt: p.updatedAt } : {}) };
}

/**
 * Replaces a tenant's lead or deal pipeline. 422 for an invalid pipeline (validatePipeline: ids,
 * kinds, a success stage, known required-field rules); 409 when a stage that items are in would
 * disappear or change kind (they would be stranded, or final without having been closed), or the
 * version is stale.
 */
export async function updateSalesPipeline(
  ports: { configs: PipelineConfigStore; stageInUse: StageUsage },
  cmd: { tenantId: string; kind: SalesEntity; stages: unknown; expectedVersion?: number; userId?: string },
): Promise<StoredPipeline> {
  const problems = validatePipeline({ stages: cmd.stages }, cmd.kind);
  if (problems.length) throw new RuleViolation(`the ${cmd.kind} pipeline is not valid`, problems);
  const stages = cmd.stages as Stage[];
  const current = await getSalesPipeline(ports.configs, cmd.tenantId, cmd.kind);
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) {
    throw staleVersion(cmd.expectedVersion, current.version);
  }
  const stranded: FieldError[] = [];
  for (const old of current.stages) {
    const next = stages.find((s) => s.id === old.id);
    if (next && next.kind === old.kind) continue;
    if (await ports.stageInUse(cmd.tenantId, cmd.kind, old.id)) {
      stranded.push({ field: 'stages', message: next ? `stage ${old.id} has ${cmd.kind}s in it: its kind cannot change` : `stage ${old.id} has ${cmd.kind}s in it: it cannot be removed` });
    }
  }
  if (stranded.length) throw new Conflict(`the new ${cmd.kind} pipeline would strand existing ${cmd.kind}s`, stranded);
  const saved: StoredPipeline = {
    tenantId: cmd.tenantId,
    kind: cmd.kind,
    stages: stages.map(({ id, name, kind, requiredFields }) => ({ id, name, kind, requiredFields: [...requiredFields] })),
    version: current.version + 1,
    updatedAt: new Date().toISOString(),
    ...(cmd.userId ? { updatedBy: cmd.userId } : {}),
  };
  return ports.configs.save(saved, current.version);
}

// ---------------------------------------------------------------------------------------------------
// Events leaving through the outbox (written in the same transaction as the change)

export interface PendingEvent {
  tenantId: string;
  /** An event of events/catalog.ts; the detail is checked against its schema when published. */
  detailType: string;
  detail: Record<string, unknown>;
}

export function pendingEvent(tenantId: string, detailType: string, detail: Record<string, unknown>): PendingEvent {
  return { tenantId, detailType, detail };
}

// ---------------------------------------------------------------------------------------------------
// Tenant defaults

export const FALLBACK_CURRENCY = 'EUR';

/** The currency of a new deal or quote when the caller gives none: the tenant's default, else EUR. */
export function defaultCurrency(settings: unknown): string {
  const code = (settings as { defaultCurrency?: unknown } | null | undefined)?.defaultCurrency;
  return isCurrency(code) ? code : FALLBACK_CURRENCY;
}

// ---------------------------------------------------------------------------------------------------
// Dates

/** Today as YYYY-MM-DD (UTC). */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------
// Lines

export interface PricedLines {
  lines: ComputedLine[];
  totals: InvoiceTotals;
}

/** Lines with their net amounts and the totals, or a 422 listing every bad line field. */
export function priceLines(lines: LineInput[], currency: string): PricedLines {
  try {
    return computeInvoice(lines, currency);
  } catch (error) {
    if (error instanceof InvoiceTotalsError) throw new RuleViolation('the lines cannot be priced', error.errors);
    throw error;
  }
}

/** The lines as a caller wrote them (computed amounts dropped), to copy into another document. */
export function lineInputs(lines: ComputedLine[]): LineInput[] {
  return lines.map(({ netAmount: _net, ...line }) => line);
}

// ---------------------------------------------------------------------------------------------------
// Clients

/**
 * Loads the company and contact a sales object links to, as one tenant sees them. A missing or
 * foreign id is a 422 naming the field (the caller referenced something that does not exist).
 */
export async function resolveClient(
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

// ---------------------------------------------------------------------------------------------------
// What an invoice copies from a deal or a quote

export interface InvoiceSource {
  sourceType: 'deal' | 'quote';
  sourceId: string;
  /** The client as it stands now (deal) or as the quote froze it (quote); null when the deal has none. */
  client: ClientSnapshot | null;
  companyId?: string;
  contactId?: string;
  /** The lines to copy (the invoice recomputes net amounts and totals the same way). */
  lines: LineInput[];
  /** The source's own totals, to check the copy against. */
  totals: InvoiceTotals;
  currency: string;
  responsibleUserId?: string;
  dealId?: string;
  quoteId?: string;
  notes?: string;
  /** The source's version when it was read (to detect a concurrent change when linking back). */
  version: number;
}

/**
 * The invoice feature's view of a deal or a quote (functions/domain/invoices.ts InvoiceSourceReader):
 * the client snapshot (the quote's frozen one, or the deal's as it stands now), the lines to price again
 * the same way, currency, responsible user, the deal and the quote it links back to.
 */
export function asInvoiceSource(source: InvoiceSource): InvoicesSource {
  const c = source.client;
  // an invoice names no contact person: the snapshot without contactId / contactName
  const client: ClientSnapshot | null = c
    ? withoutEmpty<ClientSnapshot>({
        kind: c.kind,
        id: c.id,
        name: c.name,
        legalName: c.legalName,
        legalForm: c.legalForm,
        taxId: c.taxId,
        email: c.email,
        phone: c.phone,
        address: c.address,
      })
    : null;
  return withoutEmpty({
    client,
    lines: source.lines,
    currency: source.currency,
    responsibleUserId: source.responsibleUserId,
    dealId: source.dealId,
    quoteId: source.quoteId,
    notes: source.notes,
  }) as InvoicesSource;
}
