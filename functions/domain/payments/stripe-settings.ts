/**
 * A tenant's Stripe keys (`settings.payments.stripe`): checked on the way in, stored sealed (see
 * functions/domain/kernel/secrets.ts), never shown again; reading the settings gives only a description of them.
 */
import { type FieldError, RuleViolation } from '../kernel';

export interface StripeKeys {
  /** `sk_live_...`, `sk_test_...` or a restricted key `rk_live_...` / `rk_test_...`. */
  secretKey: string;
  /** The signing secret of the webhook endpoint, `whsec_...`. */
  webhookSecret: string;
}

export interface StripeKeysDescription {
  configured: true;
  mode: 'live' | 'test';
  /** Last four characters of the secret key, so a person can tell which key is set. */
  secretKeyLast4: string;
  webhookSecretSet: true;
}

const SECRET_KEY = /^(sk|rk)_(live|test)_[A-Za-z0-9]{16,247}$/;
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/=_-]{16,200}$/;

export function validateStripeKeys(keys: StripeKeys, prefix = 'payments.stripe'): StripeKeys {
  const errors: FieldError[] = [];
  if (!SECRET_KEY.test(keys.secretKey)) {
    errors.push({ field: `${prefix}.secretKey`, message: 'a Stripe secret key (sk_live_..., sk_test_..., or a restricted rk_ key)' });
  }
  if (!WEBHOOK_SECRET.test(keys.webhookSecret)) errors.push({ field: `${prefix}.webhookSecret`, message: 'the endpoint signing secret, whsec_...' });
  if (errors.length > 0) throw new RuleViolation('the Stripe keys are not usable', errors);
  return keys;
}

export function describeStripeKeys(keys: StripeKeys): StripeKeysDescription {
  return {
    configured: true,
    mode: keys.secretKey.includes('_live_') ? 'live' : 'test',
    secretKeyLast4: keys.secretKey.slice(-4),
    webhookSecretSet: true,
  };
}
