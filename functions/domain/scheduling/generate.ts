/**
 * The recurring job: for each due schedule, the invoice of each due period, once.
 *
 * Exactly once, whatever the number of runs, retries, overlaps or crashes:
 * 1. the invoice's id is derived from (tenant, schedule, period) and it is created with a conditional put
 *    (in the same transaction as its timeline entry and `invoice.created`): a second make finds it there;
 * 2. it is issued (moved to the send stage) only while it is still a draft;
 * 3. the schedule moves to its next period with a write conditioned on its version.
 * A crash between two steps leaves a state the next run completes: the period is made again, finds its
 * invoice, and carries on from where the first stopped.
 */
import { Invoice, InvoicePipeline, type InvoicePorts } from '../invoicing';
import { Conflict, derivedId, type Actor } from '../kernel';
import { addDays } from './calendar';
import type { RecurringStore } from './model';
import { advanced, isDue, MAX_PERIODS_PER_RUN, type RecurringInvoice } from './recurring';

export interface GeneratePorts {
  recurring: RecurringStore;
  invoices: InvoicePorts;
  now: () => Date;
}

export interface PeriodMade {
  tenantId: string;
  recurringInvoiceId: string;
  period: string;
  invoiceId: string;
  /** False when the invoice was there already (an earlier or concurrent run made it). */
  created: boolean;
}

/** The id of the invoice of one period of one schedule: the same cause always names the same invoice. */
export const periodInvoiceId = (tenantId: string, recurringInvoiceId: string, period: string) => derivedId('invoice', tenantId, recurringInvoiceId, period);

const actorOf = (s: RecurringInvoice): Actor => ({ type: 'system', id: `recurring:${s.id}` });

/** The stage an issued recurring invoice goes to: SENT when the pipeline has it, else its first other open stage. */
async function issueStage(ports: InvoicePorts, tenantId: string): Promise<string | undefined> {
  const { pipeline } = await InvoicePipeline.get(ports, { tenantId });
  const open = pipeline.stages.filter((s) => s.kind === 'open');
  return pipeline.stages.find((s) => s.id === 'SENT' && s.kind === 'open')?.id ?? open[1]?.id;
}

/** Makes (or finds) the invoice of the schedule's next period and issues it when the schedule says so. */
async function makePeriod(ports: GeneratePorts, s: RecurringInvoice): Promise<PeriodMade> {
  const period = s.nextDate!;
  const id = periodInvoiceId(s.tenantId, s.id, period);
  const actor = actorOf(s);
  let created = true;
  try {
    await Invoice.create(ports.invoices, {
      tenantId: s.tenantId,
      actor,
      input: {
        id,
        recurringInvoiceId: s.id,
        period,
        companyId: s.companyId,
        contactId: s.contactId,
        currency: s.currency,
        lines: s.lines,
        notes: s.notes,
        dueDate: addDays(period, s.dueInDays),
      },
    });
  } catch (error) {
    if (!(error instanceof Conflict && error.extra.existingId === id)) throw error;
    created = false;
  }
  if (s.issue) {
    const invoice = await ports.invoices.invoices.get(s.tenantId, id);
    if (invoice?.status === 'draft') {
      const to = await issueStage(ports.invoices, s.tenantId);
      if (to) {
        try {
          await Invoice.moveToStage(ports.invoices, { tenantId: s.tenantId, id, to, actor });
        } catch (error) {
          // a concurrent run issued it first: fine; anything else is a real refusal
          const now = await ports.invoices.invoices.get(s.tenantId, id);
          if (!(error instanceof Conflict) || now?.status === 'draft') throw error;
        }
      }
    }
  }
  return { tenantId: s.tenantId, recurringInvoiceId: s.id, period, invoiceId: id, created };
}

/**
 * Makes every due period of one schedule as of `asOf` (the tenant's date). Returns the periods made (or found
 * made) by this call. Concurrent callers each make at most the periods the other has not moved past.
 */
export async function runSchedule(ports: GeneratePorts, schedule: RecurringInvoice, asOf: string): Promise<PeriodMade[]> {
  const made: PeriodMade[] = [];
  let s: RecurringInvoice | null = schedule;
  for (let i = 0; s && isDue(s, asOf) && i < MAX_PERIODS_PER_RUN; i++) {
    const result = await makePeriod(ports, s);
    made.push(result);
    const next = advanced(s, { invoiceId: result.invoiceId, period: result.period }, ports.now());
    if (!(await ports.recurring.save(next, s.version))) {
      // moved meanwhile (another run, a pause, an edit): carry on from what it is now
      s = await ports.recurring.get(s.tenantId, s.id);
      continue;
    }
    s = next;
  }
  return made;
}

/** The recurring job for every due schedule; `asOfFor` gives each tenant's date (its time zone). */
export async function runDue(
  ports: GeneratePorts,
  input: { asOf: string; tenantId?: string; asOfFor?: (tenantId: string) => Promise<string> },
): Promise<PeriodMade[]> {
  const out: PeriodMade[] = [];
  for (const s of await ports.recurring.due(input.asOf, input.tenantId)) {
    const asOf = input.asOfFor ? await input.asOfFor(s.tenantId) : input.asOf;
    if (!isDue(s, asOf)) continue;
    out.push(...(await runSchedule(ports, s, asOf)));
  }
  return out;
}
