/**
 * Scheduling's ports: where schedules, scheduled sends, overdue episodes, reminders and the dunning policy
 * are kept. The clock comes in through `now` (and the date a job runs as of), never from the system.
 */
import type { Page, PageRequest } from '../kernel';
import type { RecurringInvoice } from './recurring';

export interface RecurringStore {
  create(schedule: RecurringInvoice): Promise<RecurringInvoice>;
  get(tenantId: string, id: string): Promise<RecurringInvoice | null>;
  list(tenantId: string, page: PageRequest): Promise<Page<RecurringInvoice>>;
  /** Writes `schedule` if the stored one is still at `expectedVersion`; false when it is not (someone came first). */
  save(schedule: RecurringInvoice, expectedVersion: number): Promise<boolean>;
  remove(tenantId: string, id: string, expectedVersion: number): Promise<boolean>;
  /** Active schedules with a next date on or before `asOf`, of every tenant (or of one), oldest date first. */
  due(asOf: string, tenantId?: string): Promise<RecurringInvoice[]>;
}
