/**
 * Payment by the client: bank transfer details as an EPC QR code, card payment through Stripe Checkout
 * (amounts, keys, and the reading of Stripe's webhook events into order-independent payment facts).
 * Pure; the Stripe client is an adapter (functions/adapters/payments) behind CardPaymentGateway.
 */
export * as EpcQr from './epc-qr';
export * as StripeAmounts from './stripe-amounts';
export * as StripeIntake from './stripe-intake';
export * as StripeSettings from './stripe-settings';
export type { EpcTransfer } from './epc-qr';
export type { PaymentFacts, StripeEventLike, StripeFact } from './stripe-intake';
export type { StripeKeys, StripeKeysDescription } from './stripe-settings';
export type { CardPaymentGateway, CheckoutSession, CheckoutSessionRequest } from './card-gateway';
export * as StripeWebhook from './stripe-webhook';
export type { IntakeResult, Settlement, StripeIntakePorts } from './stripe-webhook';
