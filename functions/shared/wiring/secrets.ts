/**
 * The SecretCipher of tenant secrets (webhook signing secrets, card provider keys): AWS KMS under the
 * stack's key when SECRETS_KMS_KEY_ID is set (AWS), else AES-256-GCM under LOCAL_SECRETS_KEY (local runs
 * and tests). Made once per container, on first use.
 */
import { createKmsSecretCipher } from '../../adapters/secrets/kms-cipher';
import { createLocalSecretCipher } from '../../adapters/secrets/local-cipher';
import type { SecretCipher } from '../../domain/kernel';
import { config } from '../config';
import { once } from './core';

export const secretCipher = /* @__PURE__ */ once((): SecretCipher => {
  const c = config();
  if (c.SECRETS_KMS_KEY_ID) return createKmsSecretCipher({ region: c.AWS_REGION, keyId: c.SECRETS_KMS_KEY_ID });
  if (c.LOCAL_SECRETS_KEY) return createLocalSecretCipher(c.LOCAL_SECRETS_KEY);
  throw new Error('Invalid configuration: tenant secrets need SECRETS_KMS_KEY_ID (AWS) or LOCAL_SECRETS_KEY (local runs)');
});
