/**
 * Sending a quote: the first send numbers it from the quote series (in the same transaction that marks it
 * sent), dates it, opens its public page; a later send is a resend.
 */
import { quoteSent } from '../../../events/quote-sent';
import { Client } from '../clients';
import { PublicLink } from '../documents';
import {
  addDays,
  Conflict,
  counterPeriod,
  formatDocumentNumber,
  nowIso,
  pendingEvent,
  RuleViolation,
  staleVersion,
  timelineEntry,
  today,
  type ItemCommand,
  type PendingEvent,
  type TimelineEntry,
} from '../kernel';
import { DEFAULT_QUOTE_VALIDITY_DAYS, effectiveStatus, get, QUOTE_SERIES, sendRequirements, type Quote, type QuotePorts } from './quote';

/** The counter of a numbering series in a period, and the one transaction that sends a quote. */
export interface QuoteNumbering {
  /** The last number taken in (tenant, series, period); 0 when none yet. */
  current(tenantId: string, series: string, period: string): Promise<number>;
  /**
   * One transaction: the counter moves from `counter.expected` to `counter.next` (when numbering),
   * the quote gets `changes` if still at `expectedVersion`, a new `publicToken` becomes a public
   * link to the quote, the events go to the outbox.
   */
  commitSend(plan: SendPlan): Promise<SendOutcome>;
}

export interface SendPlan {
  tenantId: string;
  quoteId: string;
  expectedVersion: number;
  changes: Record<string, unknown>;
  counter?: { series: string; period: string; expected: number; next: number };
  /** The public page's token, on the first send. */
  publicToken?: string;
  /** The date the number is taken on (first send). */
  issueDate?: string;
  events: PendingEvent[];
  /** The 'sent' entry of the quote's timeline (written in the same transaction). */
  timeline?: TimelineEntry[];
}

export type SendOutcome = { ok: true } | { ok: false; reason: 'quote_changed' | 'counter_moved' | 'conflict' };

export interface SendOptions {
  to?: string;
  subject?: string;
  message?: string;
}

export interface SendPorts extends Omit<QuotePorts, 'defaultCurrency'> {
  numbering: QuoteNumbering;
  now?: () => Date;
  /** Base delay between attempts when the number or the quote moved concurrently (default 20 ms). */
  retryDelayMs?: number;
}

const MAX_SEND_ATTEMPTS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a quote. The first send takes the next number of the quote series (in the same transaction
 * that marks the quote sent: no gaps, no duplicates), dates it, sets validUntil if absent, snapshots
 * the client again, opens the public page (a new token) and emits quote.sent; a later send of a sent
 * quote keeps all that and emits quote.sent with `resend: true`. Delivering it (PDF, e-mail) is the
 * caller's next step (POST /v1/quotes/{id}/send). 409 for an expired, accepted or declined quote or a
 * stale version; 422 when it has no lines.
 */
export async function send(
  ports: SendPorts,
  input: ItemCommand & {
    /** The number format of the quote series, e.g. DEFAULT_QUOTE_FORMAT. */
    format: string;
    validityDays?: number;
    options?: SendOptions;
  },
): Promise<Quote> {
  const { tenantId, id: quoteId } = input;
  for (let attempt = 0; attempt < MAX_SEND_ATTEMPTS; attempt++) {
    const quote = await get(ports, input);
    if (input.expectedVersion !== undefined && input.expectedVersion !== quote.version) {
      throw staleVersion(input.expectedVersion, quote.version);
    }
    const now = ports.now?.() ?? new Date();
    const day = today(now);
    const status = effectiveStatus(quote, day);
    if (status !== 'draft' && status !== 'sent') {
      const why = status === 'expired' ? `the quote expired on ${quote.validUntil}` : `the quote is ${status}`;
      throw new Conflict(`${why}; it cannot be sent`, [{ field: 'status', message: status }], { quoteStatus: status });
    }
    const missing = sendRequirements(quote);
    if (missing.length) throw new RuleViolation('the quote is not ready to be sent', missing);

    const resend = quote.status === 'sent';
    const sentAt = nowIso();
    const changes: Record<string, unknown> = { status: 'sent', sentAt, sendCount: (quote.sendCount ?? 0) + 1 };
    let counter: SendPlan['counter'];
    let number = quote.number;
    let publicToken: string | undefined;
    if (!resend) {
      const issueDate = day;
      const period = counterPeriod(input.format, issueDate);
      const current = await ports.numbering.current(tenantId, QUOTE_SERIES, period);
      counter = { series: QUOTE_SERIES, period, expected: current, next: current + 1 };
      number = formatDocumentNumber(input.format, counter.next, issueDate, QUOTE_SERIES);
      const { company, contact } = await refreshClient(ports, quote);
      publicToken = PublicLink.newToken();
      Object.assign(changes, {
        number,
        issueDate,
        publicToken,
        validUntil: quote.validUntil ?? addDays(issueDate, input.validityDays ?? DEFAULT_QUOTE_VALIDITY_DAYS),
        ...(company || contact ? { client: Client.snapshot(company, contact) } : {}),
      });
    }
    const version = quote.version + 1;
    const outcome = await ports.numbering.commitSend({
      tenantId,
      quoteId,
      expectedVersion: quote.version,
      changes,
      counter,
      publicToken,
      ...(counter ? { issueDate: day } : {}),
      events: [
        pendingEvent(tenantId, quoteSent.detailType, {
          quoteId,
          number: number!,
          version,
          resend,
          ...(input.options?.to ? { to: input.options.to } : {}),
        }),
      ],
      timeline: [
        timelineEntry({
          tenantId,
          subjectType: 'quote',
          subjectId: quoteId,
          kind: 'sent',
          actor: input.actor,
          at: sentAt,
          data: { number: number!, resend, ...(input.options?.to ? { to: input.options.to } : {}) },
        }),
      ],
    });
    if (outcome.ok) return { ...quote, ...changes, version, updatedAt: sentAt } as Quote;
    // counter_moved: another quote took the number; quote_changed: re-read (a stale If-Match fails
    // above); conflict: DynamoDB's TransactionConflict on a contended counter. All retry, jittered.
    await sleep((ports.retryDelayMs ?? 20) * (1 + Math.random()) * (attempt + 1));
  }
  throw new Conflict('the quote could not be sent because of concurrent changes; try again');
}

/** The quote's client as it stands now, to snapshot again at the first send (nulls when deleted since). */
async function refreshClient(ports: Pick<QuotePorts, 'clients'>, quote: Quote) {
  const [company, contact] = await Promise.all([
    quote.companyId ? ports.clients.company(quote.tenantId, quote.companyId) : null,
    quote.contactId ? ports.clients.contact(quote.tenantId, quote.contactId) : null,
  ]);
  // a company client whose company is gone keeps its old snapshot rather than turning into a contact
  if (quote.client.kind === 'company' && !company) return { company: null, contact: null };
  return { company, contact };
}
