import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createStripeGateway } from '../../../functions/adapters/payments/stripe';
import { StripeWebhook, type PaymentFacts, type Settlement, type StripeIntakePorts } from '../../../functions/domain/payments';
import { Conflict, dec, InvalidInput } from '../../../functions/domain/kernel';
import { stripeEvents, type PaidInvoice, type StripeEventJson } from '../../fixtures/stripe-events';

const secret = 'whsec_tenant_a_000000000000000000000';
const T = Date.parse('2026-07-01T10:00:00Z') / 1000;
const paid: PaidInvoice = {
  tenantId: 'ten_a',
  invoiceId: 'inv_1',
  paymentIntent: 'pi_1',
  charge: 'ch_1',
  amount: 50000,
  currency: 'eur',
  sessionId: 'cs_1',
  at: T,
};

/**
 * Ports with in-memory stores, and a ledger fake that keeps the payments domain's promised contract:
 * one payment per externalId, reversals only ever brought up to the settled total.
 */
function harness(options: { conflicts?: number } = {}) {
  const facts = new Map<string, { facts: PaymentFacts; version: number }>();
  const ledger = new Map<string, { amount: string; invoiceId: string | null; reversed: string }>();
  let conflicts = options.conflicts ?? 0;
  let now = new Date(T * 1000 + 2000);
  const ports: StripeIntakePorts = {
    gateway: createStripeGateway(),
    webhookSecret: async (tenantId) => (tenantId === 'ten_a' ? secret : null),
    facts: {
      get: async (tenantId, id) => facts.get(`${tenantId}/${id}`) ?? null,
      put: async (tenantId, record, expectedVersion) => {
        const key = `${tenantId}/${record.externalId}`;
        if (conflicts > 0) {
          conflicts--;
          // Another event for the same payment intent was stored meanwhile (a refund).
          const current = facts.get(key);
          facts.set(key, {
            facts: {
              ...(current?.facts ?? record),
              externalId: record.externalId,
              currency: record.currency,
              payment: current?.facts.payment ?? null,
              refundedTotal: '100.00',
              disputesLost: {},
            },
            version: (current?.version ?? 0) + 1,
          });
          throw new Conflict('moved');
        }
        if ((facts.get(key)?.version ?? 0) !== expectedVersion) throw new Conflict('moved');
        facts.set(key, { facts: record, version: expectedVersion + 1 });
      },
    },
    ledger: {
      settle: async (_tenantId, s: Settlement) => {
        if (!s.payment) return;
        const entry = ledger.get(s.payment.externalId) ?? { amount: s.payment.amount, invoiceId: s.payment.invoiceId, reversed: '0.00' };
        if (dec(s.reversed).gt(entry.reversed)) entry.reversed = s.reversed;
        ledger.set(s.payment.externalId, entry);
      },
    },
    now: () => now,
  };
  const deliver = (event: StripeEventJson, opts: { signedAt?: number; tamper?: boolean; tenantId?: string; key?: string } = {}) => {
    const raw = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload: raw,
      secret: opts.key ?? secret,
      timestamp: opts.signedAt ?? Math.floor(now.getTime() / 1000),
    });
    return StripeWebhook.receiveStripeEvent(ports, { tenantId: opts.tenantId ?? 'ten_a', rawBody: opts.tamper ? raw.replace('50000', '5') : raw, signature });
  };
  const balanceDue = (invoiceTotal: string) => {
    const paidIn = [...ledger.values()].reduce((a, e) => a.add(e.amount).sub(e.reversed), dec(0));
    return dec(invoiceTotal).sub(paidIn).toFixed(2);
  };
  return { ports, facts, ledger, deliver, balanceDue, setNow: (d: Date) => (now = d) };
}

describe('Stripe webhook intake', () => {
  it('records a paid checkout once, however often it arrives', async () => {
    const h = harness();
    const event = stripeEvents.sessionCompleted(paid);
    const results = [await h.deliver(event), await h.deliver(event), await h.deliver(stripeEvents.paymentIntentSucceeded(paid))];
    expect(results.every((r) => r.handled)).toBe(true);
    expect([...h.ledger.entries()]).toEqual([['pi_1', { amount: '500.00', invoiceId: 'inv_1', reversed: '0.00' }]]);
    expect(h.balanceDue('500.00')).toBe('0.00');
    expect(h.facts.get('ten_a/pi_1')?.version).toBe(1);
  });

  it('refuses tampered, stale and wrongly signed events before anything is stored', async () => {
    const h = harness();
    const event = stripeEvents.sessionCompleted(paid);
    await expect(h.deliver(event, { tamper: true })).rejects.toBeInstanceOf(InvalidInput);
    await expect(h.deliver(event, { signedAt: Math.floor(h.ports.now().getTime() / 1000) - 301 })).rejects.toBeInstanceOf(InvalidInput);
    await expect(h.deliver(event, { key: 'whsec_another_endpoint_000000000000' })).rejects.toBeInstanceOf(InvalidInput);
    expect(h.facts.size).toBe(0);
    expect(h.ledger.size).toBe(0);
  });

  it("ignores tenants without card payment and other tenants' objects", async () => {
    const h = harness();
    expect(await h.deliver(stripeEvents.sessionCompleted(paid), { tenantId: 'ten_b' })).toEqual({
      handled: false,
      reason: 'card payment is not set up for this tenant',
    });
    expect(await h.deliver(stripeEvents.sessionCompleted({ ...paid, tenantId: 'ten_other' }))).toMatchObject({ handled: false });
  });

  it('ends at the same balance when a refund and a lost dispute overtake the payment, with duplicates', async () => {
    // Prepare: the client pays 500.00, 100.00 is refunded, then a 400.00 dispute is lost
    const h = harness();
    const refund = stripeEvents.chargeRefunded(paid, 10000, T + 60);
    const dispute = stripeEvents.disputeClosed(paid, 'dp_1', 40000, 'lost', T + 3600);
    // Act: out of order and twice over
    for (const e of [refund, dispute, refund, stripeEvents.paymentIntentSucceeded(paid), stripeEvents.sessionCompleted(paid), dispute]) await h.deliver(e);
    // Assess
    expect(h.ledger.get('pi_1')).toEqual({ amount: '500.00', invoiceId: 'inv_1', reversed: '500.00' });
    expect(h.balanceDue('500.00')).toBe('500.00');
  });

  it('merges again when another event for the same payment intent was stored meanwhile', async () => {
    const h = harness({ conflicts: 2 });
    const result = await h.deliver(stripeEvents.sessionCompleted(paid));
    expect(result).toMatchObject({ handled: true, settlement: { reversed: '100.00', payment: { amount: '500.00' } } });
    expect(h.facts.get('ten_a/pi_1')?.facts).toMatchObject({ refundedTotal: '100.00', payment: { amount: '500.00' } });
  });

  it('gives up after repeated conflicts, so Stripe retries later', async () => {
    const h = harness({ conflicts: 10 });
    await expect(h.deliver(stripeEvents.sessionCompleted(paid))).rejects.toBeInstanceOf(Conflict);
  });
});
