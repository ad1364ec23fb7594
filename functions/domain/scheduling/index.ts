/**
 * Scheduling: time-driven work. Recurring invoices (schedules and the job that makes one invoice per period),
 * with the clock and the tenant's time zone as arguments; calendar arithmetic (month-end clamping, leap years,
 * local dates).
 *
 *   RecurringInvoices.create / get / list / update / remove / pause / resume / preview / view
 *   Recurring.newSchedule / applyPatch / preview / isDue / advanced ...   (pure rules of a schedule)
 *   RecurringJob.runDue / runSchedule / periodInvoiceId                    (the job: exactly one invoice per period)
 *   Calendar.occurrence / addMonths / localDate / zonedInstant ...
 */
export * as Calendar from './calendar';
export * as Recurring from './recurring';
export * as RecurringInvoices from './schedules';
export * as RecurringJob from './generate';
export type { RecurringStore } from './model';
export type { RecurringInput, RecurringInvoice, RecurringPatch, RecurringStatus, SendMode } from './recurring';
export { INTERVALS, type Interval } from './calendar';
export { RECURRING_STATUSES, SEND_MODES } from './recurring';
export type { RecurringPorts } from './schedules';
export type { GeneratePorts, PeriodMade } from './generate';
