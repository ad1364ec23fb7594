/**
 * A tenant's Stripe keys (`settings.payments.stripe`): checked on the way in, stored sealed (see
 * functions/domain/kernel/secrets.ts), never shown again; reading the settings gives only a description of them.
 */
import { type FieldError, openSetting, RuleViolation, type SealedSecret, type SecretCipher } from '../kernel';

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

/** How the keys rest in the tenant's settings (`settings.payments.stripe`): each sealed, plus what may be shown. */
export interface StoredStripeKeys {
  secretKey: SealedSecret;
  webhookSecret: SealedSecret;
  description: StripeKeysDescription;
}

export const SECRET_KEY_PURPOSE = 'payments.stripe.secretKey';
export const WEBHOOK_SECRET_PURPOSE = 'payments.stripe.webhookSecret';

/** Checks and seals the keys for the tenant (each bound to its tenant and purpose). */
export async function sealStripeKeys(cipher: SecretCipher, tenantId: string, keys: StripeKeys): Promise<StoredStripeKeys> {
  const valid = validateStripeKeys(keys);
  const [secretKey, webhookSecret] = await Promise.all([
    cipher.seal({ tenantId, purpose: SECRET_KEY_PURPOSE }, valid.secretKey),
    cipher.seal({ tenantId, purpose: WEBHOOK_SECRET_PURPOSE }, valid.webhookSecret),
  ]);
  return { secretKey, webhookSecret, description: describeStripeKeys(valid) };
}

const isSealed = (v: unknown): v is SealedSecret =>
  Boolean(v && typeof v === 'object' && typeof (v as SealedSecret).ciphertext === 'string' && typeof (v as SealedSecret).scheme === 'string');

/** The sealed keys in stored settings, or null when card payment is not set up. */
export function storedStripeKeys(settings: unknown): StoredStripeKeys | null {
  const stripe = (settings as { payments?: { stripe?: Partial<StoredStripeKeys> | null } } | null | undefined)?.payments?.stripe;
  if (!stripe || !isSealed(stripe.secretKey) || !isSealed(stripe.webhookSecret)) return null;
  return stripe as StoredStripeKeys;
}

/** What GET /v1/settings shows of the keys: never the keys. */
export function stripeKeysView(settings: unknown): StripeKeysDescription | { configured: false } {
  return storedStripeKeys(settings)?.description ?? { configured: false };
}

/**
 * One of the tenant's keys, opened at the moment of use; when it no longer opens (SecretUnreadable, 503), the
 * error names the setting to set again.
 */
export async function openStripeKey(cipher: SecretCipher, tenantId: string, stored: StoredStripeKeys, which: 'secretKey' | 'webhookSecret'): Promise<string> {
  return openSetting(cipher, { tenantId, purpose: which === 'secretKey' ? SECRET_KEY_PURPOSE : WEBHOOK_SECRET_PURPOSE }, stored[which], {
    field: `settings.payments.stripe.${which}`,
    setAgain: 'PUT /v1/settings with payments.stripe { secretKey, webhookSecret }',
  });
}

/**
 * The settings with the change of `payments.stripe` applied: undefined keeps what is stored, null removes it,
 * sealed keys replace it. The rest of `payments` (other providers, later) is kept.
 */
export function withStripeKeys(settings: Record<string, unknown>, change: StoredStripeKeys | null | undefined): Record<string, unknown> {
  if (change === undefined) return settings;
  const payments = { ...((settings.payments as Record<string, unknown> | undefined) ?? {}) };
  if (change === null) delete payments.stripe;
  else payments.stripe = change;
  const next = { ...settings };
  if (Object.keys(payments).length > 0) next.payments = payments;
  else delete next.payments;
  return next;
}
