import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createStripeGateway } from '../../../functions/adapters/payments/stripe';
import { StripeAmounts, StripeIntake, StripeSettings, type PaymentFacts, type StripeEventLike } from '../../../functions/domain/payments';
import { RuleViolation } from '../../../functions/domain/kernel';
import { stripeEvents, type PaidInvoice } from '../../fixtures/stripe-events';

// One second before midnight: a payment intent event a second later falls on the next day.
const T = Date.parse('2026-05-01T23:59:59Z') / 1000;
const paid: PaidInvoice = {
  tenantId: 'ten_1',
  invoiceId: 'inv_1',
  paymentIntent: 'pi_1',
  charge: 'ch_1',
  amount: 12100,
  currency: 'eur',
  sessionId: 'cs_1',
  at: T,
};

/** Applies events as the intake will: one PaymentFacts record per payment intent, then the settlement. */
function replay(events: StripeEventLike[], tenantId = 'ten_1') {
  const records = new Map<string, PaymentFacts>();
  for (const event of events) {
    const fact = StripeIntake.factOf(event, tenantId);
    if (fact.kind === 'ignored') continue;
    records.set(fact.externalId, StripeIntake.mergeFact(records.get(fact.externalId) ?? null, fact));
  }
  return Object.fromEntries([...records].map(([id, facts]) => [id, StripeIntake.settlement(facts)]));
}

/** A small seeded generator, so a failing order can be reproduced. */
function random(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('Stripe events to payment facts', () => {
  it('records a paid session, its payment intent and an async success as one card payment', () => {
    const result = replay([stripeEvents.sessionCompleted(paid), stripeEvents.paymentIntentSucceeded(paid), stripeEvents.asyncSucceeded(paid)]);
    expect(result).toEqual({
      pi_1: {
        payment: { externalId: 'pi_1', invoiceId: 'inv_1', amount: '121.00', currency: 'EUR', date: '2026-05-01', method: 'card', reference: 'cs_1' },
        reversed: '0.00',
      },
    });
  });

  it('waits for the async success of a session completed unpaid (SEPA debit)', () => {
    expect(StripeIntake.factOf(stripeEvents.sessionCompleted(paid, 'unpaid'), 'ten_1')).toMatchObject({ kind: 'ignored' });
    expect(replay([stripeEvents.sessionCompleted(paid, 'unpaid')])).toEqual({});
    expect(replay([stripeEvents.sessionCompleted(paid, 'unpaid'), stripeEvents.asyncSucceeded(paid)]).pi_1.payment?.amount).toBe('121.00');
  });

  it("ignores other tenants' sessions, disputes won and events it does not read", () => {
    expect(StripeIntake.factOf(stripeEvents.sessionCompleted(paid), 'ten_2')).toMatchObject({ kind: 'ignored' });
    expect(StripeIntake.factOf(stripeEvents.paymentIntentSucceeded(paid), 'ten_2')).toMatchObject({ kind: 'ignored' });
    expect(StripeIntake.factOf(stripeEvents.disputeClosed(paid, 'dp_1', 12100, 'won', T + 9), 'ten_1')).toMatchObject({ kind: 'ignored' });
    expect(StripeIntake.factOf({ ...stripeEvents.paymentIntentSucceeded(paid), type: 'customer.created' }, 'ten_1')).toMatchObject({ kind: 'ignored' });
  });

  it('reverses refunds (running total) and lost disputes, never more than was paid', () => {
    const partly = replay([
      stripeEvents.sessionCompleted(paid),
      stripeEvents.chargeRefunded(paid, 2000, T + 5),
      stripeEvents.chargeRefunded(paid, 5000, T + 6),
    ]);
    expect(partly.pi_1.reversed).toBe('50.00');
    const lost = replay([
      stripeEvents.sessionCompleted(paid),
      stripeEvents.chargeRefunded(paid, 5000, T + 6),
      stripeEvents.disputeClosed(paid, 'dp_1', 12100, 'lost', T + 9),
    ]);
    expect(lost.pi_1.reversed).toBe('121.00');
  });

  it('keeps a refund that overtook its payment until the payment is known', () => {
    const early = replay([stripeEvents.chargeRefunded(paid, 2000, T + 5)]);
    expect(early.pi_1).toEqual({ payment: null, reversed: '0.00' });
    expect(replay([stripeEvents.chargeRefunded(paid, 2000, T + 5), stripeEvents.paymentIntentSucceeded(paid)]).pi_1.reversed).toBe('20.00');
  });

  it('reaches the same settlement whatever the order and however often each event comes', () => {
    // Prepare: one invoice paid, partly refunded twice, then a lost dispute; another paid in JPY, refunded
    const other: PaidInvoice = { ...paid, invoiceId: 'inv_2', paymentIntent: 'pi_2', charge: 'ch_2', amount: 5000, currency: 'jpy', sessionId: 'cs_2' };
    const events = [
      stripeEvents.sessionCompleted(paid),
      stripeEvents.paymentIntentSucceeded(paid),
      stripeEvents.chargeRefunded(paid, 1000, T + 60),
      stripeEvents.chargeRefunded(paid, 3000, T + 120),
      stripeEvents.disputeClosed(paid, 'dp_1', 4000, 'lost', T + 600),
      stripeEvents.paymentIntentSucceeded(other),
      stripeEvents.sessionCompleted(other),
      stripeEvents.chargeRefunded(other, 5000, T + 30),
    ];
    const expected = replay(events);
    expect(expected).toEqual({
      pi_1: { payment: expect.objectContaining({ amount: '121.00', date: '2026-05-01', reference: 'cs_1' }), reversed: '70.00' },
      pi_2: { payment: expect.objectContaining({ amount: '5000', currency: 'JPY', reference: 'cs_2' }), reversed: '5000' },
    });
    // Act and Assess: 300 shuffles, each event delivered 1 to 3 times
    const next = random(42);
    for (let round = 0; round < 300; round++) {
      const delivered = events.flatMap((e) => Array.from({ length: 1 + Math.floor(next() * 3) }, () => e));
      for (let i = delivered.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [delivered[i], delivered[j]] = [delivered[j], delivered[i]];
      }
      expect(replay(delivered), `round ${round}: ${delivered.map((e) => e.type).join(', ')}`).toEqual(expected);
    }
  });

  it('reads events exactly as the gateway verified them from signed raw bodies', () => {
    const gateway = createStripeGateway();
    const secret = 'whsec_intake_0000000000000000000000';
    const now = new Date(T * 1000 + 1000);
    const verified = [stripeEvents.sessionCompleted(paid), stripeEvents.chargeRefunded(paid, 12100, T)].map((e) => {
      const raw = JSON.stringify(e);
      return gateway.verifyEvent(raw, Stripe.webhooks.generateTestHeaderString({ payload: raw, secret, timestamp: T }), secret, now);
    });
    expect(replay(verified).pi_1.reversed).toBe('121.00');
  });
});

describe('Stripe amounts and keys', () => {
  it("converts between decimal strings and the smallest unit, Stripe's way", () => {
    expect(StripeAmounts.toStripeAmount('1210.50', 'EUR')).toBe(121050);
    expect(StripeAmounts.toStripeAmount('1500', 'JPY')).toBe(1500);
    expect(StripeAmounts.toStripeAmount('1.230', 'KWD')).toBe(1230);
    expect(StripeAmounts.toStripeAmount('200', 'MGA')).toBe(200);
    expect(StripeAmounts.fromStripeAmount(121050, 'eur')).toBe('1210.50');
    expect(StripeAmounts.fromStripeAmount(1500, 'jpy')).toBe('1500');
    for (const [amount, currency] of [
      ['1.005', 'EUR'],
      ['0', 'EUR'],
      ['1.5', 'JPY'],
      ['1.231', 'KWD'],
      ['1000000', 'EUR'],
      ['1', 'XXX'],
    ]) {
      expect(() => StripeAmounts.toStripeAmount(amount, currency), `${amount} ${currency}`).toThrow(RuleViolation);
    }
  });

  it('accepts Stripe key shapes and describes them without revealing them', () => {
    const keys = { secretKey: 'sk_live_51Hxxxxxxxxxxxxxxxxxxxx9AbC', webhookSecret: 'whsec_abcdefghijklmnopqrstuvwxyz012345' };
    expect(StripeSettings.validateStripeKeys(keys)).toBe(keys);
    expect(StripeSettings.describeStripeKeys(keys)).toEqual({ configured: true, mode: 'live', secretKeyLast4: '9AbC', webhookSecretSet: true });
    expect(JSON.stringify(StripeSettings.describeStripeKeys(keys))).not.toContain(keys.secretKey.slice(0, 12));
    try {
      StripeSettings.validateStripeKeys({ secretKey: 'pk_live_123', webhookSecret: 'secret' });
      expect.unreachable();
    } catch (error) {
      expect((error as RuleViolation).errors.map((e) => e.field)).toEqual(['payments.stripe.secretKey', 'payments.stripe.webhookSecret']);
    }
  });
});
