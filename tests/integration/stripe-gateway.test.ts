import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStripeGateway, STRIPE_API_VERSION } from '../../functions/adapters/payments/stripe';
import { InvalidInput, RuleViolation, Unavailable } from '../../functions/domain/kernel';
import type { CheckoutSessionRequest } from '../../functions/domain/payments';
import { StripeStandIn } from '../fixtures/stripe-stand-in';
import { stripeEvents } from '../fixtures/stripe-events';

const secretKey = 'sk_test_51Example0000000000000000Key';
const request = (overrides: Partial<CheckoutSessionRequest> = {}): CheckoutSessionRequest => ({
  tenantId: 'ten_01abc',
  invoiceId: 'inv_01xyz',
  invoiceNumber: 'F-2026-000123',
  amount: '1210.50',
  currency: 'EUR',
  sessionNonce: 'nonce-1',
  successUrl: 'https://billing.example.com/p/tok123?paid=1',
  cancelUrl: 'https://billing.example.com/p/tok123',
  ...overrides,
});

describe('Stripe Checkout sessions (against a local stand-in of the API)', () => {
  const standIn = new StripeStandIn(secretKey, STRIPE_API_VERSION);
  let gateway: ReturnType<typeof createStripeGateway>;

  beforeAll(async () => {
    await standIn.start();
    const port = standIn.port;
    gateway = createStripeGateway({ host: '127.0.0.1', port, protocol: 'http', timeoutMs: 5000 });
  });
  beforeEach(() => {
    standIn.requests.length = 0;
  });
  afterAll(() => standIn.stop());

  it('sends the amount in cents, our metadata, the URLs, the key, the API version and an idempotency key', async () => {
    // Act
    const session = await gateway.createCheckoutSession(
      secretKey,
      request({ customerEmail: 'ap@client.example', locale: 'es', expiresAt: new Date('2030-01-01T12:00:00Z') }),
    );
    // Assess
    expect(session).toMatchObject({
      id: expect.stringMatching(/^cs_test_/),
      url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//),
      amount: '1210.50',
      currency: 'EUR',
      expiresAt: '2030-01-01T12:00:00.000Z',
    });
    expect(standIn.requests).toHaveLength(1);
    const [sent] = standIn.requests;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/checkout/sessions' });
    expect(sent.headers.authorization).toBe(`Bearer ${secretKey}`);
    expect(sent.headers['stripe-version']).toBe(STRIPE_API_VERSION);
    expect(sent.headers['idempotency-key']).toMatch(/^checkout-[0-9a-f]{48}$/);
    expect(sent.form).toMatchObject({
      mode: 'payment',
      client_reference_id: 'inv_01xyz',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '121050',
      'line_items[0][price_data][product_data][name]': 'Invoice F-2026-000123',
      'metadata[tenantId]': 'ten_01abc',
      'metadata[invoiceId]': 'inv_01xyz',
      'metadata[sessionNonce]': 'nonce-1',
      'payment_intent_data[metadata][tenantId]': 'ten_01abc',
      'payment_intent_data[metadata][invoiceId]': 'inv_01xyz',
      success_url: 'https://billing.example.com/p/tok123?paid=1',
      cancel_url: 'https://billing.example.com/p/tok123',
      customer_email: 'ap@client.example',
      locale: 'es',
      expires_at: String(Date.parse('2030-01-01T12:00:00Z') / 1000),
    });
  });

  it('gives the same session for the same click, and a new one when the balance changed', async () => {
    const first = await gateway.createCheckoutSession(secretKey, request());
    const again = await gateway.createCheckoutSession(secretKey, request());
    const smaller = await gateway.createCheckoutSession(secretKey, request({ amount: '1000.00' }));
    expect(again.id).toBe(first.id);
    expect(smaller.id).not.toBe(first.id);
    expect(standIn.requests[1].headers['idempotency-key']).toBe(standIn.requests[0].headers['idempotency-key']);
    expect(standIn.requests[2].headers['idempotency-key']).not.toBe(standIn.requests[0].headers['idempotency-key']);
  });

  it('retries one outage with the same idempotency key, and reports a longer one as unavailable', async () => {
    standIn.failNext(1);
    const session = await gateway.createCheckoutSession(secretKey, request({ sessionNonce: 'retry' }));
    expect(session.id).toMatch(/^cs_test_/);
    expect(standIn.requests).toHaveLength(2);
    expect(standIn.requests[1].headers['idempotency-key']).toBe(standIn.requests[0].headers['idempotency-key']);
    standIn.failNext(2);
    await expect(gateway.createCheckoutSession(secretKey, request({ sessionNonce: 'down' }))).rejects.toBeInstanceOf(Unavailable);
  });

  it('turns a refused key into a rule violation naming the setting', async () => {
    const refused = gateway.createCheckoutSession('sk_test_wrongwrongwrongwrong', request());
    await expect(refused).rejects.toBeInstanceOf(RuleViolation);
    await expect(refused).rejects.toMatchObject({ errors: [{ field: 'payments.stripe.secretKey' }] });
  });

  it('refuses amounts Stripe cannot take before calling it', async () => {
    await expect(gateway.createCheckoutSession(secretKey, request({ amount: '10.005' }))).rejects.toMatchObject({ errors: [{ field: 'amount' }] });
    await expect(gateway.createCheckoutSession(secretKey, request({ amount: '0.00' }))).rejects.toBeInstanceOf(RuleViolation);
    await expect(gateway.createCheckoutSession(secretKey, request({ amount: '1500', currency: 'JPY' }))).resolves.toMatchObject({
      amount: '1500',
      currency: 'JPY',
    });
    expect(standIn.requests.at(-1)?.form['line_items[0][price_data][unit_amount]']).toBe('1500');
  });
});

describe('Stripe webhook signatures (stripe.webhooks.constructEvent on the raw body)', () => {
  const gateway = createStripeGateway();
  const webhookSecret = 'whsec_test_0123456789abcdefABCDEF';
  const now = new Date('2026-05-01T12:00:00Z');
  const nowSeconds = now.getTime() / 1000;
  const paid = {
    tenantId: 'ten_1',
    invoiceId: 'inv_1',
    paymentIntent: 'pi_1',
    charge: 'ch_1',
    amount: 12100,
    currency: 'eur',
    sessionId: 'cs_1',
    at: nowSeconds - 10,
  };
  const body = JSON.stringify(stripeEvents.sessionCompleted(paid), null, 2);
  const sign = (payload: string, secret = webhookSecret, timestamp = nowSeconds) => Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

  it('accepts a valid signature, from a string or the same bytes', () => {
    const header = sign(body);
    expect(gateway.verifyEvent(body, header, webhookSecret, now)).toMatchObject({
      type: 'checkout.session.completed',
      data: { object: { payment_intent: 'pi_1' } },
    });
    expect(gateway.verifyEvent(Buffer.from(body), header, webhookSecret, now).id).toMatch(/^evt_/);
  });

  it('refuses a tampered body (even re-serialised JSON), a wrong secret, a missing header', () => {
    const header = sign(body);
    const tampered = body.replace('"amount_total": 12100', '"amount_total": 1');
    expect(() => gateway.verifyEvent(tampered, header, webhookSecret, now)).toThrow(InvalidInput);
    expect(() => gateway.verifyEvent(JSON.stringify(JSON.parse(body)), header, webhookSecret, now)).toThrow(InvalidInput);
    expect(() => gateway.verifyEvent(body, sign(body, 'whsec_someone_else_000000000000'), webhookSecret, now)).toThrow(/not signed/);
    expect(() => gateway.verifyEvent(body, undefined, webhookSecret, now)).toThrow(InvalidInput);
    expect(() => gateway.verifyEvent(body, 't=1,v1=abc', webhookSecret, now)).toThrow(InvalidInput);
  });

  it('refuses a signature older than 300 s at reception, and accepts one just inside', () => {
    expect(() => gateway.verifyEvent(body, sign(body, webhookSecret, nowSeconds - 301), webhookSecret, now)).toThrow(InvalidInput);
    try {
      gateway.verifyEvent(body, sign(body, webhookSecret, nowSeconds - 301), webhookSecret, now);
    } catch (error) {
      expect((error as InvalidInput).errors[0]).toMatchObject({ field: 'Stripe-Signature', message: expect.stringMatching(/tolerance/i) });
    }
    expect(gateway.verifyEvent(body, sign(body, webhookSecret, nowSeconds - 299), webhookSecret, now).type).toBe('checkout.session.completed');
  });
});
