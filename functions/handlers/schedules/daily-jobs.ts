import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from 'zod';
import { Calendar, Dunning, Overdue, RecurringJob, ScheduledSends, type DunningRun, type OverdueRun, type PeriodMade } from '../../domain/scheduling';
import { logger } from '../../shared/logger';
import { dunningPorts, scheduledSendPorts } from '../../shared/wiring/reminders';
import { dunningStore, generatePorts, overduePorts, tenantIds, tenantTimeZone } from '../../shared/wiring/scheduling';

/**
 * The daily jobs, as of a date: recurring invoices (one per due period), overdue detection (`invoice.overdue`
 * once per episode), payment reminders (each (invoice, step) at most once, late fees) and the scheduled sends
 * due by the job's clock. Run by EventBridge Scheduler every
 * hour (each tenant's date is its own time zone's: a tenant's day starts when its midnight passes), by the
 * scheduler inside `npm start`, and by `npm run jobs -- --date YYYY-MM-DD` (the same date for every tenant:
 * re-running a missed day). Every job is idempotent per thing and period: running it again for the same date
 * does nothing.
 */
export const JobsInput = z
  .object({
    /** Run as of this date (every tenant); default: each tenant's today. */
    date: z.iso.date().optional(),
    /** Only this tenant. */
    tenantId: z.string().optional(),
    /** The instant the jobs run at (ISO); default now. Tests pass the clock in. */
    now: z.iso.datetime().optional(),
  })
  .loose();
export type JobsInput = z.infer<typeof JobsInput>;

export interface JobsSummary {
  asOf: string | null;
  recurring: { made: number; found: number; periods: PeriodMade[] };
  overdue: { opened: number; closed: number; overdue: number; tenants: Record<string, OverdueRun> };
  reminders: { sent: number; skipped: number; lateFees: number; tenants: Record<string, DunningRun> };
  scheduledSends: { sent: number; skipped: number };
  failures: { tenantId: string; job: string; error: string }[];
}

/** The furthest-ahead zone: its date is the latest any tenant can be on. */
const LATEST_ZONE = 'Etc/GMT-14';

/** The instant a job for `date` runs at: now when the date is today (UTC), else noon UTC of that date. */
export function clockFor(input: JobsInput, real: Date = new Date()): Date {
  if (input.now) return new Date(input.now);
  if (!input.date || input.date === real.toISOString().slice(0, 10)) return real;
  return new Date(`${input.date}T12:00:00.000Z`);
}

export async function runDailyJobs(raw: unknown): Promise<JobsSummary> {
  const input = JobsInput.parse(raw ?? {});
  const now = clockFor(input);
  const clock = () => now;
  const asOfFor = input.date ? undefined : async (tenantId: string) => Calendar.localDate(now, await tenantTimeZone(tenantId));
  const periods = await RecurringJob.runDue(generatePorts(clock), {
    asOf: input.date ?? Calendar.localDate(now, LATEST_ZONE),
    tenantId: input.tenantId,
    asOfFor,
  });
  const summary: JobsSummary = {
    asOf: input.date ?? null,
    recurring: { made: periods.filter((p) => p.created).length, found: periods.filter((p) => !p.created).length, periods },
    overdue: { opened: 0, closed: 0, overdue: 0, tenants: {} },
    reminders: { sent: 0, skipped: 0, lateFees: 0, tenants: {} },
    scheduledSends: { sent: 0, skipped: 0 },
    failures: [],
  };
  // the scheduled sends due by the job's clock (the sweep fires them every minute; this catches up a missed day)
  const fired = await ScheduledSends.fireDue(scheduledSendPorts(clock));
  summary.scheduledSends = { sent: fired.sent.length, skipped: fired.skipped.length };
  // overdue and reminders, tenant by tenant (one tenant's failure does not stop the others; the next run retries it)
  for (const tenantId of input.tenantId ? [input.tenantId] : await tenantIds()) {
    const asOf = input.date ?? Calendar.localDate(now, await tenantTimeZone(tenantId));
    try {
      const policy = await dunningStore().get(tenantId);
      const ahead = policy?.enabled ? Math.max(0, ...policy.steps.map((s) => -s.offsetDays)) : 0;
      const invoices = await Overdue.issuedDueBy(overduePorts(clock), tenantId, Calendar.addDays(asOf, ahead));
      const overdue = await Overdue.run(overduePorts(clock), { tenantId, asOf, invoices });
      summary.overdue.tenants[tenantId] = overdue;
      summary.overdue.opened += overdue.opened.length;
      summary.overdue.closed += overdue.closed.length;
      summary.overdue.overdue += overdue.overdue;
      if (policy?.enabled) {
        const reminders = await Dunning.run(dunningPorts(clock), { tenantId, asOf, invoices });
        summary.reminders.tenants[tenantId] = reminders;
        summary.reminders.sent += reminders.sent.length;
        summary.reminders.skipped += reminders.skipped.length;
        summary.reminders.lateFees += reminders.lateFees.length;
      }
    } catch (error) {
      logger.error('daily jobs failed for a tenant', { tenantId, error: error as Error });
      summary.failures.push({ tenantId, job: 'overdue/reminders', error: (error as Error).message });
    }
  }
  logger.info('daily jobs', {
    asOf: summary.asOf,
    recurringMade: summary.recurring.made,
    overdueOpened: summary.overdue.opened,
    remindersSent: summary.reminders.sent,
    failures: summary.failures.length,
  });
  return summary;
}

export const handler = middy(async (event: unknown) => runDailyJobs(event)).use(injectLambdaContext(logger));
