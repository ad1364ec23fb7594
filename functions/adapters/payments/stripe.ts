/**
 * Card payments with the official `stripe` library: Checkout Sessions for an invoice's balance, and
 * verification of Stripe's webhook events (`Stripe-Signature` over the raw body, 300 s tolerance).
 *
 * One client per process, without a key: each call passes the tenant's own key (a tenant is paid into
 * its own Stripe account). `host`/`port`/`protocol` point the library elsewhere (the tests' stand-in).
 * The API version is pinned to the one this library version is typed for, so what we send and read does
 * not move with the account's default version.
 *
 * Bundle: the library is ~246 KB minified (~34 KB gzipped) and signature verification alone pulls the
 * same code, so there is nothing to gain from a hand-written client for session creation; it goes only
 * into the functions that import this file (the Pay button and the Stripe webhook route).
 */
import Stripe from 'stripe';
import { InvalidInput, RuleViolation, Unavailable } from '../../domain/kernel';
import { type CardPaymentGateway, type CheckoutSession, type CheckoutSessionRequest, StripeAmounts, type StripeEventLike } from '../../domain/payments';
import { createHash } from 'node:crypto';

export const STRIPE_API_VERSION = Stripe.API_VERSION;
/** Oldest `Stripe-Signature` timestamp accepted, in seconds (Stripe's own default). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface StripeGatewayOptions {
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** The library retries network failures and 5xx with the same idempotency key (default 1). */
  maxNetworkRetries?: number;
}

/**
 * The idempotency key of a session: a digest of the whole request, so the same click (nonce) for the same
 * balance gives the same session, and anything different (a new balance, another click) a new one.
 */
export function checkoutIdempotencyKey(r: CheckoutSessionRequest): string {
  const fields = Object.entries({ ...r, expiresAt: r.expiresAt?.toISOString() })
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const digest = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  return `checkout-${digest.slice(0, 48)}`;
}

export function createStripeGateway(options: StripeGatewayOptions = {}): CardPaymentGateway {
  // The library wants a key up front; every request passes the tenant's own, which takes precedence.
  const stripe = new Stripe('sk_none_every_request_names_its_key', {
    apiVersion: STRIPE_API_VERSION,
    host: options.host,
    port: options.port,
    protocol: options.protocol,
    timeout: options.timeoutMs ?? 10_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 1,
    telemetry: false,
    appInfo: { name: 'crm-invoicing' },
  });

  return {
    async createCheckoutSession(secretKey: string, r: CheckoutSessionRequest): Promise<CheckoutSession> {
      const metadata = { tenantId: r.tenantId, invoiceId: r.invoiceId, sessionNonce: r.sessionNonce };
      const unitAmount = StripeAmounts.toStripeAmount(r.amount, r.currency);
      try {
        const session = await stripe.checkout.sessions.create(
          {
            mode: 'payment',
            line_items: [
              {
                quantity: 1,
                price_data: { currency: r.currency.toLowerCase(), unit_amount: unitAmount, product_data: { name: `Invoice ${r.invoiceNumber}` } },
              },
            ],
            client_reference_id: r.invoiceId,
            metadata,
            // Copied onto the payment intent, so its own events name the tenant and the invoice too.
            payment_intent_data: { metadata, description: `Invoice ${r.invoiceNumber}` },
            success_url: r.successUrl,
            cancel_url: r.cancelUrl,
            ...(r.customerEmail ? { customer_email: r.customerEmail } : {}),
            ...(r.locale ? { locale: r.locale as Stripe.Checkout.SessionCreateParams.Locale } : {}),
            ...(r.expiresAt ? { expires_at: Math.floor(r.expiresAt.getTime() / 1000) } : {}),
          },
          { apiKey: secretKey, idempotencyKey: checkoutIdempotencyKey(r) },
        );
        if (!session.url) throw new Unavailable('Stripe returned a session without a URL');
        return {
          id: session.id,
          url: session.url,
          expiresAt: new Date(session.expires_at * 1000).toISOString(),
          amount: StripeAmounts.fromStripeAmount(session.amount_total ?? unitAmount, session.currency ?? r.currency),
          currency: (session.currency ?? r.currency).toUpperCase(),
        };
      } catch (error) {
        throw domainErrorOf(error);
      }
    },

    verifyEvent(rawBody, signatureHeader, webhookSecret, receivedAt): StripeEventLike {
      if (!signatureHeader) throw new InvalidInput('the Stripe-Signature header is missing', [{ field: 'Stripe-Signature', message: 'required' }]);
      try {
        const event = stripe.webhooks.constructEvent(rawBody, signatureHeader, webhookSecret, SIGNATURE_TOLERANCE_SECONDS, undefined, receivedAt.getTime());
        return event as unknown as StripeEventLike;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new InvalidInput("the Stripe event is not signed by this endpoint's secret, or is too old", [
          { field: 'Stripe-Signature', message: message.split('\n')[0] },
        ]);
      }
    },
  };
}

/** Stripe's errors in the domain's words: the tenant's key or request refused (a rule), or Stripe unreachable (retry later). */
function domainErrorOf(error: unknown): Error {
  if (!(error instanceof Stripe.errors.StripeError)) return error instanceof Error ? error : new Error(String(error));
  switch (error.type) {
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return new RuleViolation('Stripe refused the secret key', [{ field: 'payments.stripe.secretKey', message: error.message }]);
    case 'StripeInvalidRequestError':
    case 'StripeIdempotencyError':
    case 'StripeCardError':
      return new RuleViolation(`Stripe refused the checkout session: ${error.message}`, [{ field: error.param ?? 'amount', message: error.message }]);
    default:
      return new Unavailable(`Stripe is unavailable: ${error.message}`);
  }
}
