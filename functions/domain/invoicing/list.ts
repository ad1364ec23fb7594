/**
 * How invoices are found: the sortable and searchable keys an invoice is stored with, and the plan that
 * turns a list request (filters + sort) into index queries. Every plan step is a Query on one index with
 * a key condition; whatever the index cannot serve is a filter on the items that query reads. Nothing
 * here scans a table.
 *
 * Indexes (their storage lives in functions/adapters/dynamo/invoicing/invoice-entity.ts):
 *   on the invoice item          byIssueDate  tenant                 -> issueSort
 *                                byStage      tenant + stage         -> issueSort
 *                                byClient     tenant + client id     -> issueSort
 *                                byTotal      tenant                 -> totalSort
 *   on the invoice lookup item   byDeal       tenant + deal id       -> issueSort
 *   (a small copy of the keys,   byNumber     tenant                 -> numberKey        (issued only)
 *    same transaction)           byClientName tenant                 -> nameSort         (with a client only)
 *                                byOverdue    tenant                 -> dueSort          (status issued, with a due date)
 *
 * Choice of index (first that applies), the other filters being applied to what it reads:
 *   sort=total|-total                      byTotal
 *   sort=issueDate|-issueDate              byDeal, else byClient, else byStage, else byIssueDate (date range in the key)
 *   no sort: dealId -> byDeal; clientId -> byClient (both newest issue date first);
 *            number -> byNumber; q -> byNumber then byClientName (by number, then by client name);
 *            overdue -> byOverdue (oldest due date first); stage -> byStage; else byIssueDate (newest first).
 * Drafts (no issue date yet) sort after every issued invoice by issue date ascending and before them
 * descending (as SQL orders NULLs by default), newest draft first in descending order.
 */
import { Decimal, dec, normalizeForSearch } from '../kernel';

export const INVOICE_SORTS = ['issueDate', '-issueDate', 'total', '-total'] as const;
export type InvoiceSort = (typeof INVOICE_SORTS)[number];

export interface InvoiceListFilters {
  stage?: string;
  clientId?: string;
  dealId?: string;
  /** Exact number, case-insensitive; a trailing '*' makes it a prefix ('INV-2026-*'). */
  number?: string;
  /** Prefix of the number or of the client's name, case- and accent-insensitive. */
  q?: string;
  issueDateFrom?: string;
  issueDateTo?: string;
  /** Issued (not paid, not cancelled) with a due date before today. */
  overdue?: boolean;
  sort?: InvoiceSort;
}

export type InvoiceIndex = 'byIssueDate' | 'byStage' | 'byClient' | 'byTotal' | 'byDeal' | 'byNumber' | 'byClientName' | 'byOverdue';

/** The indexes kept on the lookup item rather than on the invoice item itself. */
export const LOOKUP_INDEXES: ReadonlySet<InvoiceIndex> = new Set(['byDeal', 'byNumber', 'byClientName', 'byOverdue']);

/** A key condition on the sort key of the step's index. */
export interface KeyRange {
  /** Inclusive bounds; a stored key 'YYYY-MM-DD#id' is above the bare date, so ['', today] means "before today". */
  between?: [string, string];
  beginsWith?: string;
}

/** Filters applied to the items a query reads (all must hold). */
export interface ResidualFilters {
  stage?: string;
  clientId?: string;
  dealId?: string;
  issueDateFrom?: string;
  issueDateTo?: string;
  numberEquals?: string;
  numberPrefix?: string;
  /** number or client name starts with... */
  search?: { numberPrefix: string; namePrefix: string };
  /** Leave out items whose number starts with this (already listed by an earlier step). */
  numberNotPrefix?: string;
  /** status issued and dueDate < this date. */
  overdueBefore?: string;
}

export interface ListStep {
  index: InvoiceIndex;
  order: 'asc' | 'desc';
  /** Partition composites besides the tenant. */
  partition: { stage?: string; clientId?: string; dealId?: string };
  range?: KeyRange;
  filters: ResidualFilters;
}

export interface InvoiceListPlan {
  steps: ListStep[];
  /** Identifies the query, so a cursor is only accepted by the query that made it. */
  signature: string;
}

// ---------------------------------------------------------------------------------------------------
// Keys

/** Sorts after every date, so drafts (no issue date) come last ascending and first descending. */
const NO_ISSUE_DATE = '~';
const SORT_SCALE = 4;
const SORT_WIDTH = 24;
const SORT_LIMIT = new Decimal(10).pow(SORT_WIDTH);

/**
 * A string that sorts like the number: fixed point with 4 decimals, 24 digits, negatives first with
 * larger magnitudes first ('0' + complement), then zero and positives ('1' + digits).
 * '-1000' < '-1' < '0' < '0.5' < '12'. Amounts beyond 4 decimals are truncated (ties are broken by id).
 */
export function sortableDecimalKey(value: string): string {
  const d = dec(value);
  const units = d.abs().times(new Decimal(10).pow(SORT_SCALE)).toDecimalPlaces(0, Decimal.ROUND_DOWN);
  if (units.gte(SORT_LIMIT)) throw new RangeError(`amount too large to index: ${value}`);
  if (d.isNegative() && !units.isZero()) return `0${SORT_LIMIT.minus(units).toFixed(0).padStart(SORT_WIDTH, '0')}`;
  return `1${units.toFixed(0).padStart(SORT_WIDTH, '0')}`;
}

/** An invoice number as searched: trimmed and lower case ('INV-2026-000042' -> 'inv-2026-000042'). */
export function numberSearchKey(number: string): string {
  return number.trim().toLowerCase();
}

/** The plain data the keys are computed from. */
export interface IndexedInvoice {
  id: string;
  stage: string;
  status: string;
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  dealId?: string;
  client: { id: string; name: string } | null;
  totals: { total: string };
}

export interface InvoiceKeys {
  /** issue date (or '~' for drafts) + id */
  issueSort: string;
  /** sortableDecimalKey(total) + id */
  totalSort: string;
  /** '' without a client */
  clientId: string;
  /** '' without a deal */
  dealId: string;
  /** numberSearchKey(number), '' for drafts */
  numberKey: string;
  /** normalized client name, '' without a client */
  nameKey: string;
  nameSort: string;
  /** due date + id, '' unless the invoice is issued (unpaid, not cancelled) with a due date */
  dueSort: string;
}

/** The keys an invoice is stored and found with (kept on both the invoice and its lookup item). */
export function invoiceKeys(invoice: IndexedInvoice): InvoiceKeys {
  const nameKey = invoice.client ? normalizeForSearch(invoice.client.name) : '';
  return {
    issueSort: `${invoice.issueDate ?? NO_ISSUE_DATE}#${invoice.id}`,
    totalSort: `${sortableDecimalKey(invoice.totals.total)}#${invoice.id}`,
    clientId: invoice.client?.id ?? '',
    dealId: invoice.dealId ?? '',
    numberKey: invoice.number ? numberSearchKey(invoice.number) : '',
    nameKey,
    nameSort: nameKey ? `${nameKey}#${invoice.id}` : '',
    dueSort: invoice.status === 'issued' && invoice.dueDate ? `${invoice.dueDate}#${invoice.id}` : '',
  };
}

// ---------------------------------------------------------------------------------------------------
// Plans

function issueRange(from?: string, to?: string): KeyRange | undefined {
  if (!from && !to) return undefined;
  return { between: [from ?? '0000-00-00', `${to ?? '9999-12-31'}#~`] };
}

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/**
 * The index queries that answer a list request, in order. `today` (YYYY-MM-DD, UTC) decides what is overdue.
 * Pure: the same filters on the same day always give the same plan (and cursor signature).
 */
export function planInvoiceList(filters: InvoiceListFilters, today: string): InvoiceListPlan {
  const residual: ResidualFilters = {};
  if (filters.stage) residual.stage = filters.stage;
  if (filters.clientId) residual.clientId = filters.clientId;
  if (filters.dealId) residual.dealId = filters.dealId;
  if (filters.issueDateFrom) residual.issueDateFrom = filters.issueDateFrom;
  if (filters.issueDateTo) residual.issueDateTo = filters.issueDateTo;
  if (filters.overdue) residual.overdueBefore = today;
  let numberExact: string | undefined;
  let numberPrefix: string | undefined;
  if (filters.number !== undefined) {
    const raw = filters.number.trim();
    if (raw.endsWith('*')) numberPrefix = numberSearchKey(raw.slice(0, -1));
    else numberExact = numberSearchKey(raw);
  }
  if (numberExact !== undefined) residual.numberEquals = numberExact;
  if (numberPrefix) residual.numberPrefix = numberPrefix;
  const search =
    filters.q !== undefined && filters.q.trim() !== '' ? { numberPrefix: numberSearchKey(filters.q), namePrefix: normalizeForSearch(filters.q) } : undefined;
  if (search) residual.search = search;

  const without = (...keys: (keyof ResidualFilters)[]): ResidualFilters => {
    const copy: ResidualFilters = { ...residual };
    for (const key of keys) delete copy[key];
    return copy;
  };
  const dateRange = issueRange(filters.issueDateFrom, filters.issueDateTo);
  const byIssue = (order: 'asc' | 'desc'): ListStep => {
    if (filters.dealId) {
      return { index: 'byDeal', order, partition: { dealId: filters.dealId }, range: dateRange, filters: without('dealId', 'issueDateFrom', 'issueDateTo') };
    }
    if (filters.clientId) {
      return {
        index: 'byClient',
        order,
        partition: { clientId: filters.clientId },
        range: dateRange,
        filters: without('clientId', 'issueDateFrom', 'issueDateTo'),
      };
    }
    if (filters.stage) {
      return { index: 'byStage', order, partition: { stage: filters.stage }, range: dateRange, filters: without('stage', 'issueDateFrom', 'issueDateTo') };
    }
    return { index: 'byIssueDate', order, partition: {}, range: dateRange, filters: without('issueDateFrom', 'issueDateTo') };
  };

  let steps: ListStep[];
  if (filters.sort === 'total' || filters.sort === '-total') {
    steps = [{ index: 'byTotal', order: filters.sort === 'total' ? 'asc' : 'desc', partition: {}, filters: residual }];
  } else if (filters.sort || filters.dealId || filters.clientId) {
    steps = [byIssue(filters.sort === 'issueDate' ? 'asc' : 'desc')];
  } else if (numberExact !== undefined || numberPrefix) {
    // the exact match is a prefix query plus an equality filter ('inv-1' must not match 'inv-10')
    steps = [{ index: 'byNumber', order: 'asc', partition: {}, range: { beginsWith: numberExact ?? numberPrefix }, filters: without('numberPrefix') }];
  } else if (search) {
    const rest = without('search');
    steps = [
      { index: 'byNumber', order: 'asc', partition: {}, range: { beginsWith: search.numberPrefix }, filters: rest },
      ...(search.namePrefix
        ? [
            {
              index: 'byClientName' as const,
              order: 'asc' as const,
              partition: {},
              range: { beginsWith: search.namePrefix },
              filters: { ...rest, numberNotPrefix: search.numberPrefix },
            },
          ]
        : []),
    ];
  } else if (filters.overdue) {
    steps = [{ index: 'byOverdue', order: 'asc', partition: {}, range: { between: ['0000-00-00', today] }, filters: without('overdueBefore') }];
  } else {
    steps = [byIssue('desc')];
  }
  return { steps, signature: hash(JSON.stringify(steps)) };
}

// ---------------------------------------------------------------------------------------------------
// Running a plan page by page

export interface StepRow<T> {
  item: T;
  /** Resumes the step's query right after this item. */
  cursor: string;
}

/** Runs one step: at most `count` items, from `cursor` (null: from the start). */
export type StepRunner<T> = (step: ListStep, options: { count: number; cursor: string | null }) => Promise<StepRow<T>[]>;

export class InvalidListCursor extends Error {
  constructor() {
    super('the cursor does not belong to this query');
  }
}

function encodeCursor(signature: string, step: number, inner: string | null): string {
  return Buffer.from(JSON.stringify({ v: 1, q: signature, s: step, c: inner })).toString('base64url');
}

function decodeCursor(cursor: string, signature: string): { step: number; inner: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidListCursor();
  }
  const c = parsed as { v?: unknown; q?: unknown; s?: unknown; c?: unknown };
  if (!c || c.v !== 1 || c.q !== signature || !Number.isInteger(c.s) || (c.c !== null && typeof c.c !== 'string')) {
    throw new InvalidListCursor();
  }
  return { step: c.s as number, inner: c.c as string | null };
}

/**
 * One page of a plan: runs its steps in order from the cursor, asking each for one item more than it
 * needs, so the next cursor is null exactly when nothing follows. Throws InvalidListCursor.
 */
export async function runListPlan<T>(plan: InvoiceListPlan, page: { limit: number; cursor?: string | null }, run: StepRunner<T>) {
  let { step, inner } = page.cursor ? decodeCursor(page.cursor, plan.signature) : { step: 0, inner: null as string | null };
  if (step < 0 || step > plan.steps.length) throw new InvalidListCursor();
  const data: T[] = [];
  while (step < plan.steps.length) {
    const need = page.limit - data.length;
    const rows = await run(plan.steps[step], { count: need + 1, cursor: inner });
    if (rows.length > need) {
      data.push(...rows.slice(0, need).map((r) => r.item));
      return { data, nextCursor: encodeCursor(plan.signature, step, need > 0 ? rows[need - 1].cursor : inner) };
    }
    data.push(...rows.map((r) => r.item));
    step++;
    inner = null;
  }
  return { data, nextCursor: null };
}
