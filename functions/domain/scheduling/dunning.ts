/**
 * Dunning: the tenant's reminder policy (steps at days relative to the due date, before or after, by e-mail
 * or SMS, with their texts; an optional late fee) and the job that sends each (invoice, step) at most once.
 *
 * Decisions:
 * - On a date, an invoice's step is the LATEST step whose day (dueDate + offsetDays) has come: a late run or a
 *   new policy never sends a burst of older steps; a before-due step is not sent once the invoice is late.
 * - Nothing is sent for an invoice that is not issued with balanceDue > 0 (paid, cancelled, credited), nor when the
 *   client's unapplied credit covers the balance (it is recorded as skipped: apply the credit instead).
 * - Exactly once: the (invoice, step) reminder record is claimed with a conditional put before sending; the send
 *   is keyed by the same cause (a retry after a crash resends nothing twice) and the record marked sent after.
 * - The late fee is a new draft invoice citing the overdue one (`lateFeeFor`), its id derived from the overdue
 *   invoice, so it is made once per invoice: the fixed amount (Ley 3/2004: 40 EUR) plus interest
 *   balance × rate × days late / 365, both outside the VAT base (tax rate 0; check with the tax adviser).
 */
import { Invoice, type InvoicePorts } from '../invoicing';
import { Conflict, dec, derivedId, formatAmount, RuleViolation, roundMoney, staleVersion, type FieldError } from '../kernel';
import { addDays, daysBetween } from './calendar';
import { overdueBalance } from './overdue';

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];
export const MAX_STEPS = 10;
export const MAX_OFFSET_DAYS = 365;
/** A claim older than this with no send recorded is taken to be a crashed run's, and retried (under the same cause). */
export const CLAIM_TIMEOUT_MS = 10 * 60_000;

export interface DunningStep {
  id: string;
  offsetDays: number;
  channel: Channel;
  subject?: string;
  text?: string;
}

export interface LateFee {
  fixed?: string;
  annualInterestRate?: string;
}

export interface DunningPolicy {
  tenantId: string;
  enabled: boolean;
  steps: DunningStep[];
  lateFee?: LateFee;
  version: number;
  updatedAt: string;
}

export type DunningInput = Pick<DunningPolicy, 'enabled' | 'steps' | 'lateFee'>;

export const defaultPolicy = (tenantId: string): DunningPolicy => ({ tenantId, enabled: false, steps: [], version: 0, updatedAt: new Date(0).toISOString() });

/** Every rule the policy breaks, each naming its field. */
export function problems(input: DunningInput): FieldError[] {
  const errors: FieldError[] = [];
  if (input.steps.length > MAX_STEPS) errors.push({ field: 'steps', message: `at most ${MAX_STEPS} steps` });
  const seen = new Set<string>();
  input.steps.forEach((step, i) => {
    if (seen.has(step.id)) errors.push({ field: `steps[${i}].id`, message: 'step ids must be unique' });
    seen.add(step.id);
    if (!Number.isInteger(step.offsetDays) || Math.abs(step.offsetDays) > MAX_OFFSET_DAYS) {
      errors.push({ field: `steps[${i}].offsetDays`, message: `must be a whole number of days from -${MAX_OFFSET_DAYS} to ${MAX_OFFSET_DAYS}` });
    }
    if (step.channel === 'sms' && !step.text?.trim()) errors.push({ field: `steps[${i}].text`, message: 'an SMS step needs its text' });
  });
  const offsets = input.steps.map((s) => s.offsetDays);
  if (new Set(offsets).size !== offsets.length) errors.push({ field: 'steps', message: 'two steps on the same day: give each step its own offsetDays' });
  return errors;
}

export function check(input: DunningInput): void {
  const errors = problems(input);
  if (errors.length > 0) throw new RuleViolation('the reminder policy breaks some rules', errors);
}

/** The policy as saved: steps ordered by their day. */
export function normalized(tenantId: string, input: DunningInput, previous: DunningPolicy, now: Date): DunningPolicy {
  check(input);
  return {
    tenantId,
    enabled: input.enabled,
    steps: [...input.steps].sort((a, b) => a.offsetDays - b.offsetDays),
    ...(input.lateFee ? { lateFee: input.lateFee } : {}),
    version: previous.version + 1,
    updatedAt: now.toISOString(),
  };
}

/** The step of `invoice` on `asOf`: the latest whose day has come (null: none, or a before-due step once late). */
export function stepOn(policy: Pick<DunningPolicy, 'steps'>, dueDate: string, asOf: string): DunningStep | null {
  let found: DunningStep | null = null;
  for (const step of [...policy.steps].sort((a, b) => a.offsetDays - b.offsetDays)) {
    if (addDays(dueDate, step.offsetDays) <= asOf) found = step;
  }
  if (found && found.offsetDays < 0 && asOf > dueDate) return null;
  return found;
}

/** The earliest due date a step can still be on for `asOf` (how far back the job reads). */
export function oldestDueDate(policy: Pick<DunningPolicy, 'steps'>, asOf: string): string {
  const latest = Math.max(0, ...policy.steps.map((s) => s.offsetDays));
  return addDays(asOf, -latest - MAX_OFFSET_DAYS);
}

export interface ReminderRecord {
  tenantId: string;
  invoiceId: string;
  stepId: string;
  status: 'claimed' | 'sent' | 'skipped';
  reason?: string;
  asOf: string;
  channel: Channel;
  runId?: string;
  at: string;
}

export interface ReminderStore {
  /** Creates the record unless one exists for (invoice, step); false when it does. */
  claim(record: ReminderRecord): Promise<boolean>;
  get(tenantId: string, invoiceId: string, stepId: string): Promise<ReminderRecord | null>;
  put(record: ReminderRecord): Promise<void>;
  listForInvoice(tenantId: string, invoiceId: string): Promise<ReminderRecord[]>;
}

export interface DunningStore {
  get(tenantId: string): Promise<DunningPolicy | null>;
  /** Writes if the stored version is still `expectedVersion` (0: none stored); false when not. */
  save(policy: DunningPolicy, expectedVersion: number): Promise<boolean>;
}

/** Sends one reminder, keyed by `causeId` (the same cause never sends twice); returns the run's id. */
export type ReminderSender = (input: {
  tenantId: string;
  invoice: Invoice.Info;
  step: DunningStep;
  to: string;
  causeId: string;
}) => Promise<{ id: string; status: string }>;

export interface DunningPorts {
  policies: DunningStore;
  reminders: ReminderStore;
  invoices: Pick<InvoicePorts['invoices'], 'get' | 'queryStep'>;
  send: ReminderSender;
  /** The client's unapplied credit in a currency (0 when none). */
  clientCredit: (tenantId: string, clientId: string, currency: string) => Promise<string>;
  /** Makes the late fee invoices (absent: no late fees). */
  invoicePorts?: InvoicePorts;
  now: () => Date;
}

/** The cause of a reminder: the same (invoice, step) always names the same send. */
export const reminderCause = (tenantId: string, invoiceId: string, stepId: string) => derivedId('event', tenantId, invoiceId, 'reminder', stepId);
export const lateFeeInvoiceId = (tenantId: string, invoiceId: string) => derivedId('invoice', tenantId, invoiceId, 'late-fee');

export interface DunningRun {
  sent: { invoiceId: string; stepId: string }[];
  skipped: { invoiceId: string; stepId: string; reason: string }[];
  lateFees: string[];
}

/** The late fee of an overdue invoice on `asOf`: its lines (fixed, interest), or none. */
export function lateFeeLines(fee: LateFee, invoice: Invoice.Info, balanceDue: string, asOf: string) {
  const lines: { description: string; quantity: string; unitPrice: string; taxRate: string }[] = [];
  const ref = invoice.number ?? invoice.id;
  if (fee.fixed && dec(fee.fixed).gt(0)) {
    lines.push({ description: `Late payment compensation, invoice ${ref}`, quantity: '1', unitPrice: formatAmount(fee.fixed, invoice.currency), taxRate: '0' });
  }
  if (fee.annualInterestRate && dec(fee.annualInterestRate).gt(0) && invoice.dueDate) {
    const days = daysBetween(invoice.dueDate, asOf);
    const interest = roundMoney(dec(balanceDue).mul(fee.annualInterestRate).div(100).mul(days).div(365), invoice.currency);
    if (interest.gt(0)) {
      lines.push({
        description: `Late payment interest, invoice ${ref}: ${balanceDue} ${invoice.currency} at ${fee.annualInterestRate} % a year for ${days} days`,
        quantity: '1',
        unitPrice: formatAmount(interest, invoice.currency),
        taxRate: '0',
      });
    }
  }
  return lines;
}

async function chargeLateFee(ports: DunningPorts, policy: DunningPolicy, invoice: Invoice.Info, balanceDue: string, asOf: string): Promise<string | null> {
  if (!policy.lateFee || !ports.invoicePorts || !invoice.client) return null;
  const lines = lateFeeLines(policy.lateFee, invoice, balanceDue, asOf);
  if (lines.length === 0) return null;
  const id = lateFeeInvoiceId(invoice.tenantId, invoice.id);
  const ref = invoice.client.kind === 'company' ? { companyId: invoice.client.id } : { contactId: invoice.client.id };
  try {
    await Invoice.create(ports.invoicePorts, {
      tenantId: invoice.tenantId,
      actor: { type: 'system', id: 'dunning' },
      input: {
        id,
        lateFeeFor: invoice.id,
        ...ref,
        currency: invoice.currency,
        lines,
        dueDate: asOf,
        notes: `Late fee for invoice ${invoice.number ?? invoice.id}`,
      },
    });
    return id;
  } catch (error) {
    if (error instanceof Conflict && error.extra.existingId === id) return null;
    throw error;
  }
}

/** The reminders job of one tenant as of `asOf` (its date). */
export async function run(ports: DunningPorts, input: { tenantId: string; asOf: string; invoices: Invoice.Info[] }): Promise<DunningRun> {
  const { tenantId, asOf } = input;
  const result: DunningRun = { sent: [], skipped: [], lateFees: [] };
  const policy = await ports.policies.get(tenantId);
  if (!policy?.enabled || policy.steps.length === 0) return result;
  const at = () => ports.now().toISOString();
  for (const listed of input.invoices) {
    if (!listed.dueDate) continue;
    const step = stepOn(policy, listed.dueDate, asOf);
    if (!step) continue;
    const existing = await ports.reminders.get(tenantId, listed.id, step.id);
    if (existing && existing.status !== 'claimed') continue;
    // claimed and not marked sent: another run is sending it now, or one crashed; retry only a stale claim
    if (existing && ports.now().getTime() - Date.parse(existing.at) < CLAIM_TIMEOUT_MS) continue;
    // read fresh: a payment may have come since the list was read
    const invoice = await ports.invoices.get(tenantId, listed.id);
    if (!invoice || invoice.status !== 'issued') continue;
    const balance = overdueBalance(invoice, addDays(invoice.dueDate!, 1)); // balance owed, whatever the date
    const record: ReminderRecord = { tenantId, invoiceId: invoice.id, stepId: step.id, status: 'claimed', asOf, channel: step.channel, at: at() };
    if (balance === null) continue; // paid or credited in full: nothing to remind
    const credit = invoice.client ? await ports.clientCredit(tenantId, invoice.client.id, invoice.currency) : '0';
    if (dec(credit).gte(balance)) {
      const skipped = { ...record, status: 'skipped' as const, reason: 'client_credit_covers_balance' };
      if (!existing && (await ports.reminders.claim(skipped))) result.skipped.push({ invoiceId: invoice.id, stepId: step.id, reason: skipped.reason });
      continue;
    }
    const to = step.channel === 'email' ? invoice.client?.email : invoice.client?.phone;
    if (!to) {
      const skipped = { ...record, status: 'skipped' as const, reason: step.channel === 'email' ? 'client_has_no_email' : 'client_has_no_phone' };
      if (!existing && (await ports.reminders.claim(skipped))) result.skipped.push({ invoiceId: invoice.id, stepId: step.id, reason: skipped.reason });
      continue;
    }
    if (!existing && !(await ports.reminders.claim(record))) continue; // another run has it
    const sent = await ports.send({ tenantId, invoice, step, to, causeId: reminderCause(tenantId, invoice.id, step.id) });
    if (step.offsetDays > 0 && invoice.dueDate! < asOf) {
      const fee = await chargeLateFee(ports, policy, invoice, balance, asOf);
      if (fee) result.lateFees.push(fee);
    }
    // marked last: a crash before this line makes the next run send again under the same cause (nothing twice)
    await ports.reminders.put({ ...record, status: 'sent', runId: sent.id, at: at() });
    result.sent.push({ invoiceId: invoice.id, stepId: step.id });
  }
  return result;
}

/** The tenant's policy (the default, disabled and empty, when none was saved). */
export async function getPolicy(ports: Pick<DunningPorts, 'policies'>, query: { tenantId: string }): Promise<DunningPolicy> {
  return (await ports.policies.get(query.tenantId)) ?? defaultPolicy(query.tenantId);
}

/** Replaces the policy (409 when `expectedVersion` is stale or another write came first). */
export async function putPolicy(
  ports: Pick<DunningPorts, 'policies' | 'now'>,
  cmd: { tenantId: string; input: DunningInput; expectedVersion?: number },
): Promise<DunningPolicy> {
  const current = await getPolicy(ports, cmd);
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) throw staleVersion(cmd.expectedVersion, current.version);
  const next = normalized(cmd.tenantId, cmd.input, current, ports.now());
  if (!(await ports.policies.save(next, current.version))) {
    const latest = await ports.policies.get(cmd.tenantId);
    throw staleVersion(current.version, latest?.version ?? current.version + 1);
  }
  return next;
}

export function view(policy: DunningPolicy) {
  const { tenantId: _t, ...rest } = policy;
  return { ...rest, lateFee: policy.lateFee ?? null };
}
