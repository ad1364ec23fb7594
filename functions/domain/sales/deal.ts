/**
 * Deals: a sale in progress with a client (company and/or contact), priced lines, a responsible
 * user and the tenant's deal pipeline (e.g. "contract signed" needs a contract number and a line).
 * The amount is always computed from the lines (never taken from the caller). The record type is `Deal.Info`.
 */
import { Client, type ClientDirectory } from '../clients';
import {
  canMove,
  Conflict,
  findStage,
  unknownStage as unknownPipelineStage,
  initialStage,
  lineInputs,
  missingFields,
  newRecord,
  NotFound,
  nowIso,
  priceLines,
  RuleViolation,
  staleVersion,
  type Command,
  type ComputedLine,
  type InvoiceTotals,
  type ItemCommand,
  type ItemQuery,
  type LineInput,
  type Owned,
  type Page,
  type PageRequest,
  type Pipeline,
  type Stage,
} from '../kernel';
import type { PipelineSource } from './pipeline-settings';

/** open: in progress; won / lost: final (the pipeline's success / failure stages). */
export type DealStatus = 'open' | 'won' | 'lost';

export interface Deal extends Owned {
  title: string;
  /** '' when none (the store keeps indexed attributes present). */
  companyId: string;
  contactId: string;
  lines: ComputedLine[];
  totals: InvoiceTotals;
  /** totals.total: what the deal is worth. */
  amount: string;
  currency: string;
  stage: string;
  status: DealStatus;
  responsibleUserId?: string;
  contractNumber?: string;
  leadId?: string;
  closedAt?: string;
  /**
   * The invoice that billed the deal in full (a recapitulative invoice): set with the invoice, in its transaction,
   * only when absent; the deal cannot be invoiced again then. (Instalment invoices `{ from: { dealId } }` leave it.)
   */
  invoiceId?: string;
}

export interface DealInput {
  title: string;
  companyId?: string;
  contactId?: string;
  lines?: LineInput[];
  currency?: string;
  responsibleUserId?: string;
  stage?: string;
  contractNumber?: string;
}

export interface DealChanges {
  title?: string;
  companyId?: string | null;
  contactId?: string | null;
  lines?: LineInput[];
  currency?: string;
  responsibleUserId?: string | null;
  contractNumber?: string | null;
}

export interface DealFilter {
  stage?: string;
  companyId?: string;
  contactId?: string;
}

export interface DealStore {
  create(deal: Deal): Promise<Deal>;
  get(tenantId: string, id: string): Promise<Deal | null>;
  list(tenantId: string, filter: DealFilter, page: PageRequest): Promise<Page<Deal>>;
  update(tenantId: string, id: string, changes: Record<string, unknown>, expectedVersion: number): Promise<Deal>;
  remove(tenantId: string, id: string, expectedVersion?: number): Promise<void>;
}

export interface DealPorts {
  deals: DealStore;
  clients: ClientDirectory;
  pipelines: PipelineSource;
  /** The tenant's default currency (settings.defaultCurrency, else EUR): for deals created without one. */
  defaultCurrency(tenantId: string): Promise<string>;
}

export type { Deal as Info };

function statusOf(stage: Stage): DealStatus {
  return stage.kind === 'success' ? 'won' : stage.kind === 'failure' ? 'lost' : 'open';
}

const unknownStage = (pipeline: Pipeline, id: string): RuleViolation => unknownPipelineStage(pipeline, id, 'deal');

function requireFields(deal: unknown, stage: Stage): void {
  const missing = missingFields(deal, stage, 'deal');
  if (missing.length) throw new RuleViolation(`the deal lacks what stage "${stage.id}" requires`, missing, { stage: stage.id });
}

/**
 * A new deal record (not stored): priced lines, the pipeline's first stage unless another is asked
 * for. Also used by the lead conversion, which writes it in its own transaction.
 */
export function newDealRecord(tenantId: string, pipeline: Pipeline, input: Omit<DealInput, 'currency'> & { currency: string; leadId?: string }): Deal {
  const stage = input.stage ? findStage(pipeline, input.stage) : initialStage(pipeline);
  if (!stage) throw unknownStage(pipeline, input.stage!);
  const { lines, totals } = priceLines(input.lines ?? [], input.currency);
  const status = statusOf(stage);
  const deal = newRecord('deal', tenantId, {
    title: input.title,
    companyId: input.companyId ?? '',
    contactId: input.contactId ?? '',
    lines,
    totals,
    amount: totals.total,
    currency: input.currency,
    stage: stage.id,
    status,
    ...(input.responsibleUserId ? { responsibleUserId: input.responsibleUserId } : {}),
    ...(input.contractNumber ? { contractNumber: input.contractNumber } : {}),
    ...(input.leadId ? { leadId: input.leadId } : {}),
  }) as Deal;
  if (status !== 'open') deal.closedAt = deal.createdAt;
  requireFields(deal, stage);
  return deal;
}

export async function get(ports: { deals: Pick<DealStore, 'get'> }, query: ItemQuery): Promise<Deal> {
  const deal = await ports.deals.get(query.tenantId, query.id);
  if (!deal) throw new NotFound('deal');
  return deal;
}

export async function create(ports: DealPorts, cmd: Command & { input: DealInput }): Promise<Deal> {
  const { tenantId, input } = cmd;
  await Client.resolve(ports.clients, tenantId, input);
  const pipeline = await ports.pipelines(tenantId, 'deal');
  const deal = newDealRecord(tenantId, pipeline, { ...input, currency: input.currency ?? (await ports.defaultCurrency(tenantId)) });
  return ports.deals.create(deal);
}

function requireOpen(deal: Deal): void {
  if (deal.status !== 'open') {
    throw new Conflict(`the deal is ${deal.status}; it can no longer change`, [{ field: 'status', message: deal.status }]);
  }
}

/** Edits an open deal; new lines or currency re-price it. The result must satisfy its current stage. */
export async function update(ports: Omit<DealPorts, 'defaultCurrency'>, cmd: ItemCommand & { changes: DealChanges }): Promise<Deal> {
  const { tenantId, id, changes, expectedVersion } = cmd;
  const deal = await get(ports, cmd);
  if (expectedVersion !== undefined && expectedVersion !== deal.version) throw staleVersion(expectedVersion, deal.version);
  requireOpen(deal);
  await Client.resolve(ports.clients, tenantId, { companyId: changes.companyId, contactId: changes.contactId });
  const set: Record<string, unknown> = {};
  for (const key of ['title', 'responsibleUserId', 'contractNumber'] as const) {
    if (key in changes) set[key] = changes[key];
  }
  if ('companyId' in changes) set.companyId = changes.companyId ?? '';
  if ('contactId' in changes) set.contactId = changes.contactId ?? '';
  if (changes.lines || changes.currency) {
    const currency = changes.currency ?? deal.currency;
    const { lines, totals } = priceLines(changes.lines ?? lineInputs(deal.lines), currency);
    Object.assign(set, { lines, totals, amount: totals.total, currency });
  }
  const next = { ...deal, ...set };
  const pipeline = await ports.pipelines(tenantId, 'deal');
  const stage = findStage(pipeline, deal.stage);
  if (stage) requireFields(next, stage);
  return ports.deals.update(tenantId, id, set, deal.version);
}

/**
 * Moves an open deal: 422 for an unknown stage or missing required fields (every one listed);
 * 409 when the deal is won or lost already or the version is stale.
 */
export async function moveToStage(ports: Omit<DealPorts, 'defaultCurrency'>, cmd: ItemCommand & { to: string }): Promise<Deal> {
  const { tenantId, id, to, expectedVersion } = cmd;
  const deal = await get(ports, cmd);
  if (expectedVersion !== undefined && expectedVersion !== deal.version) throw staleVersion(expectedVersion, deal.version);
  const pipeline = await ports.pipelines(tenantId, 'deal');
  const target = findStage(pipeline, to);
  if (!target) throw unknownStage(pipeline, to);
  requireOpen(deal);
  const refusal = canMove(pipeline, deal.stage, to);
  if (refusal) throw new Conflict(refusal, [{ field: 'stage', message: refusal }]);
  requireFields(deal, target);
  const status = statusOf(target);
  return ports.deals.update(tenantId, id, { stage: target.id, status, ...(status !== 'open' ? { closedAt: nowIso() } : {}) }, deal.version);
}

export async function remove(ports: Pick<DealPorts, 'deals'>, cmd: ItemCommand): Promise<void> {
  const deal = await get(ports, cmd);
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== deal.version) throw staleVersion(cmd.expectedVersion, deal.version);
  await ports.deals.remove(cmd.tenantId, cmd.id, deal.version);
}

export function list(ports: Pick<DealPorts, 'deals'>, query: { tenantId: string; filter: DealFilter; page: PageRequest }): Promise<Page<Deal>> {
  return ports.deals.list(query.tenantId, query.filter, query.page);
}

/** The deal as the API shows it. */
export function view(deal: Deal): Omit<Deal, 'tenantId'> {
  const { tenantId: _t, ...rest } = deal;
  const out = rest as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (v === '') delete out[k];
  return out as Omit<Deal, 'tenantId'>;
}
