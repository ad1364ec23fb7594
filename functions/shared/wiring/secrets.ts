/**
 * Tenant secrets' cipher (functions/domain/kernel/secrets.ts), made once per container: AWS KMS under the
 * stack's key when SECRETS_KMS_KEY_ID is set (Lambda), else AES-256-GCM under LOCAL_SECRETS_KEY (`npm start`,
 * tests). Neither configured: the first use fails, saying so (never a silent plaintext).
 */
import { createKmsSecretCipher } from '../../adapters/secrets/kms-cipher';
import { createLocalSecretCipher } from '../../adapters/secrets/local-cipher';
import type { SecretCipher } from '../../domain/kernel';
import { config } from '../config';
import { once } from './core';

export const secretCipher = once((): SecretCipher => {
  const c = config();
  if (c.SECRETS_KMS_KEY_ID) return createKmsSecretCipher({ region: c.AWS_REGION, keyId: c.SECRETS_KMS_KEY_ID, endpoint: c.KMS_ENDPOINT });
  if (c.LOCAL_SECRETS_KEY) return createLocalSecretCipher(c.LOCAL_SECRETS_KEY);
  throw new Error('Invalid configuration: tenant secrets need SECRETS_KMS_KEY_ID (AWS) or LOCAL_SECRETS_KEY (local runs)');
});
