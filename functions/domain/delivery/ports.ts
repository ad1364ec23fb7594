import type { DocumentRecord, PublicLinkRecord } from '../documents';
import type { ObjectStorage } from '../kernel';
import type { AutomationRun } from './automation';
import type { Mailer, MessageRecord, SmsSender } from './message';
import type { DeliverySubject } from './subject';

/**
 * Running automation steps with exactly-once effects. Every side effect has an id derived from
 * its cause (run id + step index): a document request and a message claim are conditional writes,
 * so a redelivered event or a resumed run finds what was already done and does not do it again.
 */
export interface DeliveryPorts {
  now(): string;
  publicBaseUrl: string;
  mailFrom: string;
  subjects: { get(tenantId: string, type: 'invoice' | 'quote', id: string): Promise<DeliverySubject | null> };
  tenants: {
    get(tenantId: string): Promise<{
      name: string;
      settings?: { locale?: string; senderName?: string; replyTo?: string; notifyEmail?: string; smsSenderId?: string; sendingLimits?: unknown };
    } | null>;
  };
  /** The e-mail address of a user of the tenant (the responsible employee), when known. */
  users: { emailOf(tenantId: string, userId: string): Promise<string | undefined> };
  runs: {
    create(run: AutomationRun): Promise<'created' | 'exists'>;
    get(tenantId: string, id: string): Promise<AutomationRun | null>;
    /** Saves the run if nobody saved it since it was read (version check); returns the saved run. */
    save(run: AutomationRun): Promise<AutomationRun>;
  };
  documents: {
    /** Document + its public link + the document.requested event, in one transaction; idempotent by id. */
    request(doc: DocumentRecord, link: PublicLinkRecord): Promise<'created' | 'exists'>;
    get(tenantId: string, id: string): Promise<DocumentRecord | null>;
  };
  messages: {
    /** Conditional put of the message in status `sending` with its lease: false (and the stored one) when it exists. */
    claim(message: MessageRecord): Promise<{ claimed: true } | { claimed: false; existing: MessageRecord }>;
    /**
     * Takes over an interrupted claim (status sending, lease expired): a new lease and one more attempt,
     * conditioned on the version read; false when someone else moved it first.
     */
    takeOver(existing: MessageRecord, next: { leaseUntil: string; now: string }): Promise<boolean>;
    /** Status sent + provider id + timeline entry + message.sent event, in one transaction; a no-op when already sent. */
    markSent(message: MessageRecord, providerMessageId: string): Promise<void>;
    /** Status failed + reason + timeline entry + message.failed event, in one transaction (only from sending). */
    markFailed(message: MessageRecord, error: string): Promise<void>;
  };
  /** Moves the invoice to `to`; does nothing when it is already there. */
  stages: { move(tenantId: string, invoiceId: string, to: string, actor: string): Promise<void> };
  storage: ObjectStorage;
  /** The EN 16931 UBL XML of an issued invoice (e-mail attachment `ubl`); throws when the invoice has none (draft, proforma). */
  einvoices?: { ubl(tenantId: string, invoiceId: string): Promise<{ filename: string; content: Uint8Array }> };
  mailer: Mailer;
  sms: SmsSender;
  /**
   * The tenant's daily sending quota: counts the message once (idempotent per message id) unless the day's
   * count has reached `limit`, atomically; 'over' when it has. `used` reads the day's count.
   */
  quota: {
    consume(input: { tenantId: string; channel: 'email' | 'sms'; day: string; limit: number; messageId: string; now: string }): Promise<'counted' | 'over'>;
    used(tenantId: string, channel: 'email' | 'sms', day: string): Promise<number>;
  };
  /** Waits (backoff between attempts, an unexpired lease): real time in the handlers, instant in tests. */
  wait?: (ms: number) => Promise<void>;
  /**
   * Wakes a run at an instant (an action's `delay`; the scheduling area's sweep calls `advance` then). Absent:
   * delays are not honoured (the action runs at once).
   */
  wakeups?: { schedule(input: { tenantId: string; runId: string; stepIndex: number; at: string }): Promise<void> };
}

/** Waits `ms` through the ports (instant in tests), or really. */
export const waitWith = (ports: Pick<DeliveryPorts, 'wait'>, ms: number) => (ports.wait ? ports.wait(ms) : new Promise<void>((r) => setTimeout(r, ms)));

export function publicUrl(ports: Pick<DeliveryPorts, 'publicBaseUrl'>, token: string): string {
  return `${ports.publicBaseUrl.replace(/\/$/, '')}/p/${token}`;
}
