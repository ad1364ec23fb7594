/**
 * The intake of one Stripe webhook request (the verb behind `POST /webhooks/stripe`), over ports:
 * verify the signature on the raw body with the tenant's endpoint secret (InvalidInput -> 400, Stripe
 * does not retry), read the event as a fact, merge it into the payment intent's PaymentFacts record
 * (optimistic concurrency: a concurrent event for the same payment intent makes us re-read and merge
 * again), then hand the settlement to the payments ledger, which records the payment once by externalId
 * and brings its reversals up to `reversed`. Any other failure propagates (-> 5xx, Stripe retries for up
 * to three days); since merging is idempotent, a retried or duplicated event changes nothing more.
 */
import { Conflict } from '../kernel';
import type { CardPaymentGateway } from './card-gateway';
import { factOf, mergeFact, settlement, type PaymentFacts, type StripeFact } from './stripe-intake';

export type Settlement = ReturnType<typeof settlement>;

export interface StripeIntakePorts {
  gateway: Pick<CardPaymentGateway, 'verifyEvent'>;
  /** The tenant's endpoint signing secret (opened from its sealed form), or null when card payment is not set up. */
  webhookSecret(tenantId: string): Promise<string | null>;
  facts: {
    get(tenantId: string, externalId: string): Promise<{ facts: PaymentFacts; version: number } | null>;
    /** Stores the record if its version is still `expectedVersion` (0: not stored yet); Conflict otherwise. */
    put(tenantId: string, facts: PaymentFacts, expectedVersion: number): Promise<void>;
  };
  /** Brings the ledger to the settlement (idempotent: the same settlement twice changes nothing). */
  ledger: { settle(tenantId: string, settlement: Settlement): Promise<void> };
  now(): Date;
}

export type IntakeResult = { handled: false; reason: string } | { handled: true; eventId: string; fact: StripeFact['kind']; settlement: Settlement };

const MAX_MERGE_TRIES = 5;

export async function receiveStripeEvent(
  ports: StripeIntakePorts,
  request: { tenantId: string; rawBody: string | Buffer; signature: string | undefined },
): Promise<IntakeResult> {
  const secret = await ports.webhookSecret(request.tenantId);
  if (!secret) return { handled: false, reason: 'card payment is not set up for this tenant' };
  const event = ports.gateway.verifyEvent(request.rawBody, request.signature, secret, ports.now());
  const fact = factOf(event, request.tenantId);
  if (fact.kind === 'ignored') return { handled: false, reason: fact.reason };
  for (let attempt = 1; ; attempt++) {
    const stored = await ports.facts.get(request.tenantId, fact.externalId);
    const merged = mergeFact(stored?.facts ?? null, fact);
    try {
      if (!stored || JSON.stringify(merged) !== JSON.stringify(stored.facts)) await ports.facts.put(request.tenantId, merged, stored?.version ?? 0);
      const result = settlement(merged);
      await ports.ledger.settle(request.tenantId, result);
      return { handled: true, eventId: event.id, fact: fact.kind, settlement: result };
    } catch (error) {
      if (!(error instanceof Conflict) || attempt >= MAX_MERGE_TRIES) throw error;
    }
  }
}
