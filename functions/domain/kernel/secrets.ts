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

/** A sealed secret that cannot be opened: tampered with, moved to another tenant or field, or another key. */
export class SecretUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnreadable';
  }
}

/** The encryption context both ciphers bind a secret to (KMS EncryptionContext; GCM additional data). */
export function encryptionContext(context: SecretContext): Record<string, string> {
  if (!context.tenantId || !context.purpose) throw new Error('a secret needs a tenant and a purpose');
  return { tenantId: context.tenantId, purpose: context.purpose };
}

/** Longest secret accepted (KMS encrypts at most 4096 bytes directly; keys and signing secrets are far shorter). */
export const MAX_SECRET_BYTES = 4096;
