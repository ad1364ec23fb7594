/**
 * What payment by the client needs from outside: a card payment provider (Stripe) that opens hosted
 * checkout sessions and whose webhook events can be verified. functions/adapters/payments/stripe.ts
 * implements it with the official `stripe` library.
 */
import type { StripeEventLike } from './stripe-intake';

export interface CheckoutSessionRequest {
  tenantId: string;
  invoiceId: string;
  /** Shown on Stripe's page ("Invoice F-2026-000123"). */
  invoiceNumber: string;
  /** The balance due now, a decimal string in `currency`. */
  amount: string;
  currency: string;
  /** A random value per click of the Pay button: goes into the metadata and the idempotency key. */
  sessionNonce: string;
  successUrl: string;
  cancelUrl: string;
  customerEmail?: string;
  /** Stripe Checkout's page language ("es", "en", "ro", ... or "auto"). */
  locale?: string;
  /** When the session stops accepting payment (Stripe allows 30 min to 24 h from now). */
  expiresAt?: Date;
}

export interface CheckoutSession {
  id: string;
  /** Where to send the client (303 from the Pay button). */
  url: string;
  expiresAt: string;
  amount: string;
  currency: string;
}

export interface CardPaymentGateway {
  /** Creates (or, for the same request again, returns the same) Checkout Session with the tenant's key. */
  createCheckoutSession(secretKey: string, request: CheckoutSessionRequest): Promise<CheckoutSession>;
  /**
   * The event, when `signatureHeader` is a valid `Stripe-Signature` of exactly these raw bytes by the
   * endpoint secret, made at most 300 s before `receivedAt`. InvalidInput otherwise.
   */
  verifyEvent(rawBody: string | Buffer, signatureHeader: string | undefined, webhookSecret: string, receivedAt: Date): StripeEventLike;
}
