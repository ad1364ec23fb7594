/**
 * Issuing invoices: gapless numbers under concurrency.
 *
 * A number is taken in the very transaction that issues the invoice: the counter of (tenant, series, period)
 * moves from the value read to the value + k, on condition that it still holds the value read. When another
 * writer moved it first, the transaction writes nothing and is tried again from the counter's new value
 * (returned by the refusal), after a jittered exponential backoff.
 *
 * Within one process the issues of the same series are queued and committed together (group commit): up to
 * MAX_BATCH invoices and one counter move in one TransactWriteItems, in FIFO order (and issue-date order, so
 * numbers follow dates). A Lambda instance serves one request at a time, so there every batch is of one;
 * where one process issues many invoices at once (a bulk job, an automation batch, the local runner), it
 * turns N colliding transactions into N / MAX_BATCH successful ones. Across processes the condition on the
 * counter decides, as always.
 */
import { Conflict, counterPeriod, formatDocumentNumber, RuleViolation } from '../kernel';
import type { CommitResult, Invoice, InvoiceChange, InvoiceStore, NumberCounter } from './model';
import { releaseItems, releasesOf } from './source-links';

export interface IssueRequest {
  tenantId: string;
  series: string;
  /** The tenant's number format for the series. */
  format: string;
  issueDate: string;
  /** Rough size of the invoice in bytes (a transaction holds at most 4 MB). */
  sizeHint: number;
  /** At most how many items its write takes in the transaction (`writeItems`); default ITEMS_PER_INVOICE + 1 (a register record). */
  items?: number;
  /** The change that issues the invoice with this number (called again on every try: fresh ids). */
  build(numbering: { number: string; sequence: number }): InvoiceChange;
}

export type IssueOutcome = { outcome: 'ok'; invoice: Invoice } | { outcome: 'stale' } | { outcome: 'busy' };

export interface IssueQueueOptions {
  maxBatch?: number;
  maxAttempts?: number;
  /** How long a request may wait, in the queue and in retries, before it is answered 'busy'. */
  budgetMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  clock?: () => number;
}

/**
 * Items of one plain issue in the transaction: invoice, lookup, timeline entry, up to two events (its register
 * record comes on top). A batch takes members while their declared items (`IssueRequest.items`, from
 * `writeItems`) fit one transaction; the store counts the items it actually writes, and when they are still too
 * many it answers `too_large` and the batch goes in parts (the backstop of an estimate).
 */
const ITEMS_PER_INVOICE = 5;
export const MAX_TRANSACTION_ITEMS = 100;
export const MAX_BATCH = Math.floor((MAX_TRANSACTION_ITEMS - 1) / (ITEMS_PER_INVOICE + 1));
/** What the members of one batch may take: all but the counter and the register's chain head. */
const MEMBER_ITEMS_BUDGET = MAX_TRANSACTION_ITEMS - 2;
const MAX_BATCH_BYTES = 3_000_000;

/**
 * At most how many items one change writes in its transaction besides the counter and the register's chain head:
 * per invoice (its own and the `linked` ones) the invoice, its lookup, its timeline entries and events and a
 * register record; its ledger records; and the sources an invoice it voids gives back (source-links.ts).
 */
export function writeItems(change: InvoiceChange): number {
  const own = (c: InvoiceChange): number =>
    3 + c.timeline.length + c.events.length + (c.ledger?.length ?? 0) + (c.linked ?? []).reduce((n, l) => n + own(l), 0);
  return own(change) + releaseItems(releasesOf([change]));
}

export const ISSUE_DEFAULTS = {
  maxAttempts: 80,
  budgetMs: 20_000,
  backoffBaseMs: 10,
  backoffCapMs: 2000,
};

/** Full-jitter exponential backoff: a random wait below min(cap, base x 2^attempt). */
export function jitteredBackoff(attempt: number, random: () => number, baseMs = ISSUE_DEFAULTS.backoffBaseMs, capMs = ISSUE_DEFAULTS.backoffCapMs): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16)));
}

interface Pending {
  request: IssueRequest;
  enqueuedAt: number;
  resolve(outcome: IssueOutcome): void;
  reject(error: unknown): void;
}

export interface IssueQueue {
  issue(store: InvoiceStore, request: IssueRequest): Promise<IssueOutcome>;
}

/** A process-wide queue of issues per (tenant, series, period). */
export function createIssueQueue(options: IssueQueueOptions = {}): IssueQueue {
  const o = { ...ISSUE_DEFAULTS, maxBatch: MAX_BATCH, ...options };
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = o.random ?? Math.random;
  const clock = o.clock ?? Date.now;
  const queues = new Map<string, Pending[]>();

  function takeBatch(pending: Pending[]): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    let items = 0;
    while (pending.length > 0 && batch.length < o.maxBatch) {
      const next = pending[0];
      const nextItems = next.request.items ?? ITEMS_PER_INVOICE + 1;
      if (batch.length > 0 && (bytes + next.request.sizeHint > MAX_BATCH_BYTES || items + nextItems > MEMBER_ITEMS_BUDGET)) break;
      bytes += next.request.sizeHint;
      items += nextItems;
      batch.push(pending.shift()!);
    }
    return batch;
  }

  async function issueBatch(store: InvoiceStore, period: string, batch: Pending[]): Promise<void> {
    // numbers follow issue dates: the earlier date takes the lower number (stable for equal dates)
    let members = [...batch].sort((a, b) => (a.request.issueDate < b.request.issueDate ? -1 : a.request.issueDate > b.request.issueDate ? 1 : 0));
    const { tenantId, series } = members[0].request;
    let seen: NumberCounter | null | undefined;
    let attempts = 0;
    /** Members put off because the transaction could not hold them all: they go next, in order. */
    let deferred: Pending[] = [];
    while (members.length > 0 || deferred.length > 0) {
      if (members.length === 0) {
        members = deferred;
        deferred = [];
      }
      const now = clock();
      const late = members.filter((m) => now - m.enqueuedAt > o.budgetMs);
      for (const m of late) m.resolve({ outcome: 'busy' });
      members = members.filter((m) => !late.includes(m));
      // every way out of this loop below answers the members it gives up on and goes on with the deferred ones
      if (members.length === 0) continue;

      const stored = seen !== undefined ? seen : await store.getCounter(tenantId, series, period);
      seen = undefined;
      const last = stored?.lastIssueDate;
      const early = last ? members.filter((m) => m.request.issueDate < last) : [];
      for (const m of early) {
        m.reject(
          new RuleViolation('numbers must follow issue dates', [
            { field: 'issueDate', message: `the ${series} series already has an invoice issued on ${last}; the issue date cannot be earlier` },
          ]),
        );
      }
      members = members.filter((m) => !early.includes(m));
      if (members.length === 0) continue;

      const start = stored?.value ?? 0;
      const changes = members.map((m, i) =>
        m.request.build({
          number: formatDocumentNumber(m.request.format, start + i + 1, m.request.issueDate, series),
          sequence: start + i + 1,
        }),
      );
      const lastIssueDate = members.reduce((max, m) => (m.request.issueDate > max ? m.request.issueDate : max), last ?? '');
      let result: CommitResult;
      try {
        result = await store.commit({
          changes,
          counter: { tenantId, series, period, expected: start, next: start + members.length, lastIssueDate },
        });
      } catch (error) {
        for (const m of members) m.reject(error);
        members = [];
        continue;
      }
      if (result.outcome === 'ok') {
        members.forEach((m, i) => m.resolve({ outcome: 'ok', invoice: changes[i].after }));
        members = [];
        continue; // the deferred, if any, from the counter as it now is (read again)
      }
      if (result.outcome === 'too_large') {
        // nothing was written: the first `fits` go now from the same counter, the rest after them
        seen = stored;
        if (result.fits > 0) {
          deferred = [...members.slice(result.fits), ...deferred];
          members = members.slice(0, result.fits);
          continue;
        }
        const [alone, ...rest] = members;
        alone.reject(
          new RuleViolation('the document writes more than one transaction holds', [
            { field: 'id', message: `issuing it writes more than ${MAX_TRANSACTION_ITEMS} items at once` },
          ]),
        );
        members = rest;
        continue;
      }
      if (result.outcome === 'stale') {
        // those invoices changed since they were read: their callers plan again; the others go on at once
        const stale = new Set(result.members);
        members.forEach((m, i) => stale.has(i) && m.resolve({ outcome: 'stale' }));
        members = members.filter((_, i) => !stale.has(i));
        continue;
      }
      // contention: another writer moved the counter (or collided): go again from its new value
      if (result.counter !== undefined) seen = result.counter;
      attempts++;
      const wait = jitteredBackoff(attempts, random, o.backoffBaseMs, o.backoffCapMs);
      if (attempts >= o.maxAttempts) {
        for (const m of members) m.resolve({ outcome: 'busy' });
        members = [];
        continue;
      }
      await sleep(wait);
    }
  }

  async function drain(key: string, store: InvoiceStore, period: string): Promise<void> {
    const pending = queues.get(key)!;
    try {
      while (pending.length > 0) {
        const batch = takeBatch(pending);
        try {
          await issueBatch(store, period, batch);
        } catch (error) {
          for (const m of batch) m.reject(error); // no-op for those already answered
        }
      }
    } finally {
      queues.delete(key);
    }
  }

  return {
    issue(store, request) {
      const period = counterPeriod(request.format, request.issueDate);
      const key = `${request.tenantId}\u0000${request.series}\u0000${period}`;
      return new Promise<IssueOutcome>((resolve, reject) => {
        const existing = queues.get(key);
        const entry = { request, enqueuedAt: clock(), resolve, reject };
        if (existing) {
          existing.push(entry);
          return;
        }
        queues.set(key, [entry]);
        drain(key, store, period).catch((error) => {
          // drain only fails on a bug; answer whoever still waits
          for (const m of queues.get(key) ?? []) m.reject(error);
          queues.delete(key);
        });
      });
    },
  };
}

/** The error a caller gets when its issue kept colliding past the budget (nothing was written: retry). */
export function busy(invoiceId: string): Conflict {
  return new Conflict(`the move of invoice ${invoiceId} kept colliding with concurrent writes; retry`, [{ field: 'stage', message: 'busy' }]);
}
