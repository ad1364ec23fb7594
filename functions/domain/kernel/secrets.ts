/**
 * Tenant secrets (a tenant's Stripe keys, webhook signing secrets): write-only through the API and
 * encrypted at rest. The domain holds them only as SealedSecret values and opens one at the moment of
 * use, through the SecretCipher port:
 *
 * - in AWS, functions/adapters/secrets/kms-cipher.ts: AWS KMS Encrypt/Decrypt under one key of the
 *   stack, with the tenant id and the secret's purpose as the encryption context, so a sealed value
 *   copied to another tenant's record (or another field) cannot be opened there, and every use is in
 *   CloudTrail with that context;
 * - locally (`npm start`, tests), functions/adapters/secrets/local-cipher.ts: AES-256-GCM under a key
 *   from local configuration, the same context as additional authenticated data.
 *
 * A sealed value is opaque: which cipher made it (`scheme`), under which key (`keyId`), and the bytes.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Unavailable } from './errors';

export interface SecretContext {
  tenantId: string;
  /** What the secret is for, e.g. `payments.stripe.secretKey` or `webhooks.whk_...`. */
  purpose: string;
}

export interface SealedSecret {
  scheme: 'aws-kms' | 'local-aes-256-gcm';
  keyId: string;
  /** base64 */
  ciphertext: string;
}

export interface SecretCipher {
  seal(context: SecretContext, plaintext: string): Promise<SealedSecret>;
  /** The plaintext; SecretUnreadable when the value was not sealed for this context under this key. */
  open(context: SecretContext, sealed: SealedSecret): Promise<string>;
}

/** The setting to set again when its stored secret does not open: its field, and how to set it. */
export interface SecretSetting {
  field: string;
  setAgain: string;
}

/**
 * A sealed secret that cannot be opened: tampered with, moved to another tenant or field, or sealed under
 * another key (a new local key, another KMS key). Retrying does not help: it must be set again. The area that
 * owns the secret names its setting (`openSetting`); an HTTP route answers 503 with that in the detail. The
 * cipher's `reason` names keys: it is for logs, never for the answer.
 */
export class SecretUnreadable extends Unavailable {
  constructor(
    readonly reason: string,
    setting?: SecretSetting,
  ) {
    super(
      setting
        ? `the stored secret ${setting.field} cannot be opened (sealed under another key, or altered) and must be set again: ${setting.setAgain}`
        : 'a stored secret cannot be opened (sealed under another key, or altered) and must be set again',
      setting ? [{ field: setting.field, message: `cannot be opened: set it again (${setting.setAgain})` }] : [],
    );
  }
}

/** Opens a tenant's secret; when it does not open, the SecretUnreadable names the setting to set again. */
export async function openSetting(cipher: SecretCipher, context: SecretContext, sealed: SealedSecret, setting: SecretSetting): Promise<string> {
  try {
    return await cipher.open(context, sealed);
  } catch (error) {
    throw error instanceof SecretUnreadable ? new SecretUnreadable(error.reason, setting) : error;
  }
}

/** The encryption context both ciphers bind a secret to (KMS EncryptionContext; GCM additional data). */
export function encryptionContext(context: SecretContext): Record<string, string> {
  if (!context.tenantId || !context.purpose) throw new Error('a secret needs a tenant and a purpose');
  return { tenantId: context.tenantId, purpose: context.purpose };
}

/** Longest secret accepted (KMS encrypts at most 4096 bytes directly; keys and signing secrets are far shorter). */
export const MAX_SECRET_BYTES = 4096;

/**
 * A value of any size sealed for a context (KMS encrypts at most 4 KiB directly): a fresh 256-bit data key sealed
 * by the cipher, and the value under that key (AES-256-GCM, the encryption context as additional data).
 * One cipher call each way, as for a secret. Used for stored answers that carry a secret (Idempotency-Key).
 */
export interface SealedEnvelope {
  key: SealedSecret;
  /** base64: nonce (12) | tag (16) | encrypted bytes */
  data: string;
}

const envelopeAad = (context: SecretContext) => Buffer.from(JSON.stringify(encryptionContext(context)));

/**
 * A sealer of values under one new data key: the key is sealed first (the cipher's call, KMS in AWS), so sealing a
 * value afterwards is local and cannot fail. A write whose answer must be sealed prepares it BEFORE writing.
 */
export async function envelopeSealer(cipher: SecretCipher, context: SecretContext): Promise<(plaintext: string) => SealedEnvelope> {
  const dataKey = randomBytes(32);
  const key = await cipher.seal(context, dataKey.toString('base64'));
  return (plaintext) => {
    const nonce = randomBytes(12);
    const gcm = createCipheriv('aes-256-gcm', dataKey, nonce).setAAD(envelopeAad(context));
    const encrypted = Buffer.concat([gcm.update(plaintext, 'utf8'), gcm.final()]);
    return { key, data: Buffer.concat([nonce, gcm.getAuthTag(), encrypted]).toString('base64') };
  };
}

/** The value; SecretUnreadable when its key does not open for this context or the bytes were altered. */
export async function openEnvelope(cipher: SecretCipher, context: SecretContext, sealed: SealedEnvelope): Promise<string> {
  const dataKey = Buffer.from(await cipher.open(context, sealed.key), 'base64');
  const raw = Buffer.from(sealed.data ?? '', 'base64');
  try {
    const gcm = createDecipheriv('aes-256-gcm', dataKey, raw.subarray(0, 12)).setAAD(envelopeAad(context));
    gcm.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([gcm.update(raw.subarray(28)), gcm.final()]).toString('utf8');
  } catch {
    throw new SecretUnreadable(`a sealed envelope (${context.purpose} of ${context.tenantId}) does not open: its data was altered`);
  }
}
