/**
 * Card payments' wiring: the Stripe gateway (the official library; STRIPE_API_BASE points it at a stand-in),
 * the store of Stripe's payment facts, the tenant's sealed keys opened through the secrets cipher, and the
 * payments ledger that records what the facts settle.
 */
import { stripeFactsRepository } from '../../adapters/dynamo/payments/stripe-facts-repository';
import { createStripeGateway } from '../../adapters/payments/stripe';
import { Payment, StripeSettings, type StripeIntakePorts } from '../../domain/payments';
import { config } from '../config';
import { once, service } from './core';
import { paymentPorts } from './payments';
import { secretCipher } from './secrets';
import { tenants } from './tenancy';

export const stripeGateway = /* @__PURE__ */ once(() => {
  const base = config().STRIPE_API_BASE;
  if (!base) return createStripeGateway();
  const url = new URL(base);
  return createStripeGateway({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    maxNetworkRetries: 0,
  });
});

export const stripeFacts = /* @__PURE__ */ once(() => stripeFactsRepository(service()));

/** One of the tenant's Stripe keys, opened now; null when card payment is not set up. */
export async function tenantStripeKey(tenantId: string, which: 'secretKey' | 'webhookSecret'): Promise<string | null> {
  const stored = StripeSettings.storedStripeKeys((await tenants().getTenant(tenantId))?.settings);
  return stored ? StripeSettings.openStripeKey(secretCipher(), tenantId, stored, which) : null;
}

export const stripeIntakePorts = /* @__PURE__ */ once(
  (): StripeIntakePorts => ({
    gateway: stripeGateway(),
    webhookSecret: (tenantId) => tenantStripeKey(tenantId, 'webhookSecret'),
    facts: stripeFacts(),
    ledger: {
      settle: async (tenantId, settlement) => {
        await Payment.settle(paymentPorts(), { tenantId, actor: { type: 'system', id: 'stripe' }, settlement });
      },
    },
    now: () => new Date(),
  }),
);
