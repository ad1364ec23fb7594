/**
 * The SecretCipher in AWS: KMS Encrypt/Decrypt with one symmetric key of the stack (secrets are a few
 * hundred bytes, under KMS's 4 KiB limit, so no data-key envelope is needed), bound to the encryption
 * context { tenantId, purpose }. The function's role needs kms:Encrypt (settings route) or kms:Decrypt
 * (Pay button, Stripe webhook, webhook delivery) on that key only.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { encryptionContext, MAX_SECRET_BYTES, SecretUnreadable, type SecretCipher } from '../../domain/kernel';

export interface KmsCipherOptions {
  region: string;
  /** Key id, ARN or alias (`alias/crm-secrets`). */
  keyId: string;
  endpoint?: string;
  /** For a local stand-in; in AWS the function's role is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

const UNREADABLE = new Set(['InvalidCiphertextException', 'IncorrectKeyException', 'InvalidKeyUsageException']);

/**
 * The KMS client module loads on the first secret sealed or opened (~7 ms at cold start otherwise): the
 * functions that wire secrets mostly answer requests that never touch one (a settings GET, a webhook list).
 */
export function createKmsSecretCipher(options: KmsCipherOptions): SecretCipher {
  let kms: Promise<{ client: KMSClient; sdk: typeof import('@aws-sdk/client-kms') }> | undefined;
  const connect = () => {
    kms ??= import('@aws-sdk/client-kms').then((sdk) => ({
      sdk,
      client: new sdk.KMSClient({
        region: options.region,
        maxAttempts: 3,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      }),
    }));
    return kms;
  };

  return {
    async seal(context, plaintext) {
      const bytes = Buffer.from(plaintext, 'utf8');
      if (bytes.length === 0 || bytes.length > MAX_SECRET_BYTES) throw new Error(`a secret is 1 to ${MAX_SECRET_BYTES} bytes`);
      const { client, sdk } = await connect();
      const out = await client.send(new sdk.EncryptCommand({ KeyId: options.keyId, Plaintext: bytes, EncryptionContext: encryptionContext(context) }));
      if (!out.CiphertextBlob || !out.KeyId) throw new Error('KMS answered Encrypt without a ciphertext');
      return { scheme: 'aws-kms', keyId: out.KeyId, ciphertext: Buffer.from(out.CiphertextBlob).toString('base64') };
    },

    async open(context, sealed) {
      if (sealed.scheme !== 'aws-kms') throw new SecretUnreadable(`sealed by ${sealed.scheme}, not AWS KMS`);
      const { client, sdk } = await connect();
      try {
        const out = await client.send(
          new sdk.DecryptCommand({
            CiphertextBlob: Buffer.from(sealed.ciphertext, 'base64'),
            KeyId: sealed.keyId,
            EncryptionContext: encryptionContext(context),
          }),
        );
        if (!out.Plaintext) throw new Error('KMS answered Decrypt without a plaintext');
        return Buffer.from(out.Plaintext).toString('utf8');
      } catch (error) {
        if (UNREADABLE.has((error as { name?: string }).name ?? '')) {
          throw new SecretUnreadable(`the secret ${context.purpose} of ${context.tenantId} does not open: ${(error as Error).name}`);
        }
        throw error;
      }
    },
  };
}
