/**
 * Recurring invoices: a template (client, currency, lines, due in N days) and a schedule (every N weeks,
 * months or years from `startDate`, until `endDate` or `count` invoices). Pure rules here; the job that makes
 * the invoices is `generate.ts`.
 *
 * Decisions:
 * - The n-th date is `occurrence(startDate, interval, intervalCount, n)`: from the anchor, never from the
 *   previous run (no drift; Jan 31 -> Feb 28/29 -> Mar 31).
 * - The schedule keeps `nextIndex`/`nextDate`: the next period to make. A period's invoice has the id derived
 *   from (schedule, period), so it is made once however often, late or concurrently the job runs.
 * - Missed periods (the job did not run) are made on the next run, each with its own `period` (issueMissed).
 *   A paused schedule makes nothing; resuming skips the periods that passed while paused.
 * - Editing the schedule (start, interval) affects only the periods after the last one made.
 */
import { RuleViolation, type FieldError, type Owned } from '../kernel';
import type { LineDraft } from '../invoicing';
import { daysBetween, isCalendarDate, occurrence, type Interval } from './calendar';

export const RECURRING_STATUSES = ['active', 'paused', 'completed'] as const;
export type RecurringStatus = (typeof RECURRING_STATUSES)[number];
export const SEND_MODES = ['email', 'none'] as const;
export type SendMode = (typeof SEND_MODES)[number];

/** Most periods made for one schedule in one run (a long outage catches up over several runs). */
export const MAX_PERIODS_PER_RUN = 60;
export const MAX_PREVIEW = 120;
export const MAX_DUE_IN_DAYS = 3650;

export interface RecurringTerms {
  companyId?: string;
  contactId?: string;
  currency: string;
  lines: LineDraft[];
  notes?: string;
  interval: Interval;
  intervalCount: number;
  startDate: string;
  endDate?: string;
  count?: number;
  dueInDays: number;
  issue: boolean;
  send: SendMode;
}

export interface RecurringInvoice extends Owned, RecurringTerms {
  status: RecurringStatus;
  /** The index (0: startDate) of the next period to make. */
  nextIndex: number;
  /** Its date; null once the schedule is completed. */
  nextDate: string | null;
  /** Invoices made so far. */
  made: number;
  lastPeriod?: string;
  lastInvoiceId?: string;
  pausedAt?: string;
}

export type RecurringInput = Omit<RecurringTerms, 'intervalCount' | 'send'> & { intervalCount?: number; send?: SendMode };

/** Every rule a schedule breaks, each naming its field (422). */
export function problems(t: Partial<RecurringTerms>): FieldError[] {
  const errors: FieldError[] = [];
  if (t.intervalCount !== undefined && (!Number.isInteger(t.intervalCount) || t.intervalCount < 1)) {
    errors.push({ field: 'intervalCount', message: 'must be a whole number of at least 1' });
  }
  if (t.startDate !== undefined && !isCalendarDate(t.startDate)) errors.push({ field: 'startDate', message: 'must be a real calendar date' });
  if (t.endDate !== undefined && t.endDate !== null) {
    if (!isCalendarDate(t.endDate)) errors.push({ field: 'endDate', message: 'must be a real calendar date' });
    else if (t.startDate && t.endDate < t.startDate) errors.push({ field: 'endDate', message: 'must not be before startDate' });
  }
  if (t.count !== undefined && t.count !== null && (!Number.isInteger(t.count) || t.count < 1)) errors.push({ field: 'count', message: 'must be at least 1' });
  if (t.dueInDays !== undefined && (!Number.isInteger(t.dueInDays) || t.dueInDays < 0 || t.dueInDays > MAX_DUE_IN_DAYS)) {
    errors.push({ field: 'dueInDays', message: `must be a whole number from 0 to ${MAX_DUE_IN_DAYS}` });
  }
  if (t.lines !== undefined && t.lines.length === 0) errors.push({ field: 'lines', message: 'must have at least one line' });
  if (t.companyId && t.contactId) errors.push({ field: 'contactId', message: 'give a companyId or a contactId, not both' });
  if (t.send === 'email' && t.issue === false) errors.push({ field: 'send', message: 'a draft is not sent: "email" needs issue: true' });
  return errors;
}

export function check(t: Partial<RecurringTerms>): void {
  const errors = problems(t);
  if (errors.length > 0) throw new RuleViolation('the recurring invoice breaks some rules', errors);
}

/** The date of period `n`, or null when the schedule ends before it (endDate; `count` is checked on what was made). */
export function dateOf(s: Pick<RecurringTerms, 'startDate' | 'interval' | 'intervalCount' | 'endDate'>, n: number): string | null {
  const date = occurrence(s.startDate, s.interval, s.intervalCount, n);
  if (s.endDate && date > s.endDate) return null;
  return date;
}

/** The first period index whose date is on or after `date` (0 when the schedule starts later). */
export function firstIndexFrom(s: Pick<RecurringTerms, 'startDate' | 'interval' | 'intervalCount'>, date: string): number {
  if (date <= s.startDate) return 0;
  // an estimate from the day count, then walked to the exact index
  const perPeriod = s.interval === 'week' ? 7 * s.intervalCount : s.interval === 'month' ? 28 * s.intervalCount : 365 * s.intervalCount;
  let n = Math.max(0, Math.floor(daysBetween(s.startDate, date) / perPeriod) - 2);
  while (occurrence(s.startDate, s.interval, s.intervalCount, n) < date) n++;
  while (n > 0 && occurrence(s.startDate, s.interval, s.intervalCount, n - 1) >= date) n--;
  return n;
}

/** The schedule positioned on period `n` (completed when there is none, or when `count` invoices were made). */
function at<T extends RecurringTerms & { status: RecurringStatus; made: number }>(s: T, n: number): T & { nextIndex: number; nextDate: string | null } {
  const date = s.count !== undefined && s.count !== null && s.made >= s.count ? null : dateOf(s, n);
  return { ...s, nextIndex: n, nextDate: date, status: date === null ? 'completed' : s.status === 'completed' ? 'active' : s.status };
}

/** A new schedule (pure): active, positioned on its first period. */
export function newSchedule(base: Owned, input: RecurringInput): RecurringInvoice {
  const terms: RecurringTerms = { ...input, intervalCount: input.intervalCount ?? 1, send: input.send ?? (input.issue ? 'email' : 'none') };
  check(terms);
  return at({ ...base, ...terms, status: 'active' as RecurringStatus, nextIndex: 0, nextDate: null, made: 0 }, 0);
}

export type RecurringPatch = Partial<{ [K in keyof RecurringTerms]: RecurringTerms[K] | null }>;

/**
 * The schedule with `patch` applied: new terms apply to the periods after the last one made. A changed
 * start or interval re-anchors the schedule: its next period is the first new date after the last made.
 */
export function applyPatch(s: RecurringInvoice, patch: RecurringPatch): RecurringInvoice {
  const next: RecurringInvoice = { ...s };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete (next as unknown as Record<string, unknown>)[key];
    else (next as unknown as Record<string, unknown>)[key] = value;
  }
  if (patch.companyId) delete next.contactId;
  if (patch.contactId) delete next.companyId;
  check(next);
  if (!next.companyId && !next.contactId) throw new RuleViolation('a recurring invoice needs a client', [{ field: 'companyId', message: 'required' }]);
  if (s.status === 'paused') return { ...next, nextIndex: s.nextIndex, nextDate: s.nextDate, status: 'paused' };
  const reanchored = patch.startDate !== undefined || patch.interval !== undefined || patch.intervalCount !== undefined;
  const from = reanchored ? (s.lastPeriod ? firstIndexAfter(next, s.lastPeriod) : 0) : s.nextIndex;
  // count limits the invoices made in all: with a re-anchored schedule, what was made still counts
  return at(next, from);
}

function firstIndexAfter(s: RecurringTerms, date: string): number {
  let n = firstIndexFrom(s, date);
  while (occurrence(s.startDate, s.interval, s.intervalCount, n) <= date) n++;
  return n;
}

export function pause(s: RecurringInvoice, now: Date): RecurringInvoice {
  if (s.status === 'completed') throw new RuleViolation('the recurring invoice is completed', [{ field: 'status', message: 'completed' }]);
  return { ...s, status: 'paused', pausedAt: now.toISOString() };
}

/** Active again from `today`: the periods that passed while paused are skipped. */
export function resume(s: RecurringInvoice, today: string): RecurringInvoice {
  if (s.status !== 'paused') throw new RuleViolation(`the recurring invoice is ${s.status}, not paused`, [{ field: 'status', message: s.status }]);
  const { pausedAt: _p, ...rest } = s;
  const from = Math.max(s.nextIndex, firstIndexFrom(s, today));
  return at({ ...rest, status: 'active' as RecurringStatus }, from);
}

/** The next `count` dates the schedule will make (none while completed; paused: where it stands). */
export function preview(s: RecurringInvoice, count: number): string[] {
  const out: string[] = [];
  if (s.status === 'completed') return out;
  const left = s.count !== undefined && s.count !== null ? Math.max(0, s.count - s.made) : Number.POSITIVE_INFINITY;
  for (let n = s.nextIndex; out.length < Math.min(count, MAX_PREVIEW, left); n++) {
    const date = dateOf(s, n);
    if (date === null) break;
    out.push(date);
  }
  return out;
}

/** Due on `asOf` (the tenant's date): active with a next period on or before it. */
export function isDue(s: RecurringInvoice, asOf: string): boolean {
  return s.status === 'active' && s.nextDate !== null && s.nextDate <= asOf;
}

/** The schedule after its period `nextIndex` was made (pure). */
export function advanced(s: RecurringInvoice, made: { invoiceId: string; period: string }, now: Date): RecurringInvoice {
  const moved = at({ ...s, made: s.made + 1 }, s.nextIndex + 1);
  return { ...moved, lastPeriod: made.period, lastInvoiceId: made.invoiceId, version: s.version + 1, updatedAt: now.toISOString() };
}
