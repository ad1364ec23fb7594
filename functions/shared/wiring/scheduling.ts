/**
 * Scheduling's wiring: recurring invoices on the single table, the invoices they make (invoicing's ports,
 * with the job's clock), clients, and the tenant's time zone (its `timeZone` setting, else UTC).
 */
import { clientDirectory } from '../../adapters/dynamo/clients/clients-repository';
import { invoicesRepository } from '../../adapters/dynamo/invoicing/invoices-repository';
import { recurringRepository } from '../../adapters/dynamo/scheduling/recurring-repository';
import { scheduledSendsRepository } from '../../adapters/dynamo/scheduling/scheduled-sends-repository';
import { dunningRepository, overdueRepository, remindersRepository } from '../../adapters/dynamo/scheduling/scheduling-repositories';
import { Calendar, type GeneratePorts, type OverduePorts, type RecurringPorts } from '../../domain/scheduling';
import { once, service } from './core';
import { invoicePortsOn } from './invoicing';
import { tenants } from './tenancy';

/** The tenant's time zone: its `timeZone` setting when it is a zone this runtime knows, else UTC. */
export async function tenantTimeZone(tenantId: string): Promise<string> {
  const zone = ((await tenants().getTenant(tenantId))?.settings as { timeZone?: unknown } | undefined)?.timeZone;
  return typeof zone === 'string' && Calendar.isTimeZone(zone) ? zone : 'UTC';
}

export const recurringStore = /* @__PURE__ */ once(() => recurringRepository(service()));

export const recurringPorts = /* @__PURE__ */ once(
  (): RecurringPorts => ({
    recurring: recurringStore(),
    clients: clientDirectory(service()),
    now: () => new Date(),
    timeZone: tenantTimeZone,
  }),
);

/** The job's ports, on the job's clock: the invoices it makes and issues are dated by it. */
export function generatePorts(now: () => Date): GeneratePorts {
  return { recurring: recurringStore(), invoices: { ...invoicePortsOn(service()), now }, now };
}

export const overdueStore = /* @__PURE__ */ once(() => overdueRepository(service()));
export const dunningStore = /* @__PURE__ */ once(() => dunningRepository(service()));
export const reminderStore = /* @__PURE__ */ once(() => remindersRepository(service()));

/** Every tenant the daily jobs walk. */
export const tenantIds = () => tenants().tenantIds();

/** The overdue job's ports, on the job's clock. */
export function overduePorts(now: () => Date): OverduePorts {
  return { invoices: invoicesRepository(service()), overdue: overdueStore(), now };
}

export const scheduledSendStore = /* @__PURE__ */ once(() => scheduledSendsRepository(service()));

/** What the scheduled-send routes use (scheduling, listing, cancelling: no delivery). */
export const scheduledSendRoutesPorts = /* @__PURE__ */ once(() => ({
  sends: scheduledSendStore(),
  invoices: invoicesRepository(service()),
  now: () => new Date(),
}));
