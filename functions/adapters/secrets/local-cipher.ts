/**
 * The SecretCipher of local runs and tests: AES-256-GCM (node:crypto) under a 32-byte key from local
 * configuration, a random 96-bit nonce per value, and the encryption context (tenant, purpose) plus the
 * key id as additional authenticated data. Ciphertext = nonce | tag | encrypted bytes, base64.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { encryptionContext, MAX_SECRET_BYTES, SecretUnreadable, type SealedSecret, type SecretCipher, type SecretContext } from '../../domain/kernel';

const SCHEME = 'local-aes-256-gcm' as const;

/** A fresh key for local configuration (base64 of 32 random bytes). */
export function generateLocalSecretsKey(): string {
  return randomBytes(32).toString('base64');
}

export function createLocalSecretCipher(keyBase64: string, keyId = 'local-1'): SecretCipher {
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 32) throw new Error('the local secrets key must be 32 bytes, base64-encoded');
  const aad = (context: SecretContext) => Buffer.from(JSON.stringify({ ...encryptionContext(context), keyId, scheme: SCHEME }));

  return {
    async seal(context, plaintext) {
      const bytes = Buffer.from(plaintext, 'utf8');
      if (bytes.length === 0 || bytes.length > MAX_SECRET_BYTES) throw new Error(`a secret is 1 to ${MAX_SECRET_BYTES} bytes`);
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad(context));
      const encrypted = Buffer.concat([cipher.update(bytes), cipher.final()]);
      return { scheme: SCHEME, keyId, ciphertext: Buffer.concat([nonce, cipher.getAuthTag(), encrypted]).toString('base64') };
    },

    async open(context, sealed: SealedSecret) {
      if (sealed.scheme !== SCHEME || sealed.keyId !== keyId) throw new SecretUnreadable(`sealed by ${sealed.scheme}/${sealed.keyId}, not ${SCHEME}/${keyId}`);
      const raw = Buffer.from(sealed.ciphertext, 'base64');
      if (raw.length < 12 + 16 + 1) throw new SecretUnreadable('the sealed value is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAAD(aad(context));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnreadable(`the secret ${context.purpose} of ${context.tenantId} does not open with this key and context`);
      }
    },
  };
}
