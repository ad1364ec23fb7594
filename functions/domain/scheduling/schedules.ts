/**
 * The verbs of a recurring invoice: create, get, list, update, remove, pause, resume, preview.
 * `verb(ports, command)`; the clock is the ports' `now`.
 */
import type { ClientDirectory } from '../clients';
import { newId, NotFound, RuleViolation, staleVersion, type Command, type ItemCommand, type ItemQuery, type PageRequest } from '../kernel';
import { localDate } from './calendar';
import type { RecurringStore } from './model';
import * as Recurring from './recurring';
import type { RecurringInput, RecurringInvoice, RecurringPatch } from './recurring';

export interface RecurringPorts {
  recurring: RecurringStore;
  clients: ClientDirectory;
  now: () => Date;
  /** The tenant's time zone (its "today"). */
  timeZone: (tenantId: string) => Promise<string>;
}

async function checkClient(ports: RecurringPorts, tenantId: string, ref: { companyId?: string | null; contactId?: string | null }) {
  if (ref.companyId && !(await ports.clients.company(tenantId, ref.companyId))) {
    throw new RuleViolation('the recurring invoice names a company that does not exist', [{ field: 'companyId', message: 'no such company' }]);
  }
  if (ref.contactId && !(await ports.clients.contact(tenantId, ref.contactId))) {
    throw new RuleViolation('the recurring invoice names a contact that does not exist', [{ field: 'contactId', message: 'no such contact' }]);
  }
}

export async function create(ports: RecurringPorts, cmd: Command & { input: RecurringInput }): Promise<RecurringInvoice> {
  const { input, tenantId } = cmd;
  if (!input.companyId && !input.contactId)
    throw new RuleViolation('a recurring invoice needs a client', [{ field: 'companyId', message: 'give a companyId or a contactId' }]);
  Recurring.check({ ...input, send: input.send });
  await checkClient(ports, tenantId, input);
  const at = ports.now().toISOString();
  const schedule = Recurring.newSchedule({ tenantId, id: newId('recurringInvoice'), version: 1, createdAt: at, updatedAt: at }, input);
  return ports.recurring.create(schedule);
}

export async function get(ports: Pick<RecurringPorts, 'recurring'>, query: ItemQuery): Promise<RecurringInvoice> {
  const found = await ports.recurring.get(query.tenantId, query.id);
  if (!found) throw new NotFound('recurring invoice');
  return found;
}

export const list = (ports: Pick<RecurringPorts, 'recurring'>, query: { tenantId: string; page: PageRequest }) =>
  ports.recurring.list(query.tenantId, query.page);

/** Reads, changes and writes conditioned on the version read (409 when `expectedVersion` is stale or a write came first). */
async function change(
  ports: RecurringPorts,
  cmd: ItemCommand,
  edit: (s: RecurringInvoice) => RecurringInvoice | Promise<RecurringInvoice>,
): Promise<RecurringInvoice> {
  const current = await get(ports, cmd);
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) throw staleVersion(cmd.expectedVersion, current.version);
  const next = { ...(await edit(current)), version: current.version + 1, updatedAt: ports.now().toISOString() };
  if (!(await ports.recurring.save(next, current.version))) {
    const latest = await ports.recurring.get(cmd.tenantId, cmd.id);
    throw staleVersion(current.version, latest?.version ?? current.version + 1);
  }
  return next;
}

export async function update(ports: RecurringPorts, cmd: ItemCommand & { changes: RecurringPatch }): Promise<RecurringInvoice> {
  await checkClient(ports, cmd.tenantId, cmd.changes);
  return change(ports, cmd, (s) => Recurring.applyPatch(s, cmd.changes));
}

export async function remove(ports: RecurringPorts, cmd: ItemCommand): Promise<void> {
  const current = await get(ports, cmd);
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) throw staleVersion(cmd.expectedVersion, current.version);
  if (!(await ports.recurring.remove(cmd.tenantId, cmd.id, current.version))) {
    const latest = await ports.recurring.get(cmd.tenantId, cmd.id);
    if (latest) throw staleVersion(current.version, latest.version);
  }
}

export const pause = (ports: RecurringPorts, cmd: ItemCommand) => change(ports, cmd, (s) => Recurring.pause(s, ports.now()));

export const resume = (ports: RecurringPorts, cmd: ItemCommand) =>
  change(ports, cmd, async (s) => Recurring.resume(s, localDate(ports.now(), await ports.timeZone(cmd.tenantId))));

export async function preview(ports: Pick<RecurringPorts, 'recurring'>, query: ItemQuery & { count: number }): Promise<string[]> {
  return Recurring.preview(await get(ports, query), query.count);
}

/** What the API shows of a schedule. */
export function view(s: RecurringInvoice) {
  const { tenantId: _t, ...rest } = s;
  return { ...rest, endDate: s.endDate ?? null, count: s.count ?? null, nextDate: s.nextDate ?? null };
}
