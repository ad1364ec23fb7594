/**
 * Scheduling: time-driven work. Recurring invoices (schedules and the job that makes one invoice per period),
 * with the clock and the tenant's time zone as arguments; calendar arithmetic (month-end clamping, leap years,
 * local dates).
 *
 *   RecurringInvoices.create / get / list / update / remove / pause / resume / preview / view
 *   Recurring.newSchedule / applyPatch / preview / isDue / advanced ...   (pure rules of a schedule)
 *   RecurringJob.runDue / runSchedule / periodInvoiceId                    (the job: exactly one invoice per period)
 *   Overdue.run / overdueBalance / issuedDueBy                            (once per overdue episode: invoice.overdue)
 *   Dunning.run / stepOn / problems / lateFeeLines                         (each (invoice, step) at most once)
 *   ScheduledSends.schedule / list / cancel / fire / fireDue                (each scheduled send once, at its time)
 *   Calendar.occurrence / addMonths / localDate / zonedInstant ...
 */
export * as Calendar from './calendar';
export * as Recurring from './recurring';
export * as RecurringInvoices from './schedules';
export * as RecurringJob from './generate';
export * as Overdue from './overdue';
export * as Dunning from './dunning';
export * as ScheduledSends from './scheduled-send';
export type { RecurringStore } from './model';
export type { RecurringInput, RecurringInvoice, RecurringPatch, RecurringStatus, SendMode } from './recurring';
export { INTERVALS, type Interval } from './calendar';
export { RECURRING_STATUSES, SEND_MODES } from './recurring';
export type { RecurringPorts } from './schedules';
export type { GeneratePorts, PeriodMade } from './generate';
export type { OverdueEpisode, OverdueStore, OverduePorts, OverdueRun } from './overdue';
export type {
  DunningInput,
  DunningPolicy,
  DunningPorts,
  DunningRun,
  DunningStep,
  DunningStore,
  LateFee,
  ReminderRecord,
  ReminderSender,
  ReminderStore,
} from './dunning';
export { CHANNELS as DUNNING_CHANNELS, MAX_STEPS as MAX_DUNNING_STEPS } from './dunning';
export type { ScheduledSend, ScheduledSendPorts, ScheduledSendStore, SendStatus } from './scheduled-send';
