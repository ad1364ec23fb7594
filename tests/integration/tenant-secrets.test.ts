import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsSecretCipher } from '../../functions/adapters/secrets/kms-cipher';
import { createLocalSecretCipher, generateLocalSecretsKey } from '../../functions/adapters/secrets/local-cipher';
import { envelopeSealer, openEnvelope, openSetting, SecretUnreadable, type SecretCipher } from '../../functions/domain/kernel';
import { KmsStandIn } from '../fixtures/kms-stand-in';

const stripeKey = { tenantId: 'ten_a', purpose: 'payments.stripe.secretKey' };
const secret = 'sk_live_51Habcdefghijklmnopqrstuvwxyz0123456789';
const answerContext = { tenantId: 'ten_a', purpose: 'idempotent-answer' };

/** What every SecretCipher must do, whichever keeps the key. */
function behavesAsASecretCipher(name: string, make: () => SecretCipher) {
  describe(name, () => {
    it('opens what it sealed, and the sealed form does not contain the secret', async () => {
      const cipher = make();
      const sealed = await cipher.seal(stripeKey, secret);
      expect(await cipher.open(stripeKey, sealed)).toBe(secret);
      expect(JSON.stringify(sealed)).not.toContain(secret.slice(8, 20));
      expect(Buffer.from(sealed.ciphertext, 'base64').toString('latin1')).not.toContain(secret.slice(8, 20));
    });

    it('seals the same secret differently each time', async () => {
      const cipher = make();
      const [a, b] = [await cipher.seal(stripeKey, secret), await cipher.seal(stripeKey, secret)];
      expect(a.ciphertext).not.toBe(b.ciphertext);
      expect(await cipher.open(stripeKey, b)).toBe(secret);
    });

    it('will not open a secret moved to another tenant or another field, or altered', async () => {
      const cipher = make();
      const sealed = await cipher.seal(stripeKey, secret);
      await expect(cipher.open({ ...stripeKey, tenantId: 'ten_b' }, sealed)).rejects.toBeInstanceOf(SecretUnreadable);
      await expect(cipher.open({ ...stripeKey, purpose: 'payments.stripe.webhookSecret' }, sealed)).rejects.toBeInstanceOf(SecretUnreadable);
      const bytes = Buffer.from(sealed.ciphertext, 'base64');
      bytes[bytes.length - 1] ^= 1;
      await expect(cipher.open(stripeKey, { ...sealed, ciphertext: bytes.toString('base64') })).rejects.toBeInstanceOf(SecretUnreadable);
    });

    it('refuses an empty or oversized secret', async () => {
      await expect(make().seal(stripeKey, '')).rejects.toThrow();
      await expect(make().seal(stripeKey, 'x'.repeat(4097))).rejects.toThrow();
    });

    it('seals a value of any size in an envelope (a data key sealed by the cipher), bound to the same context', async () => {
      const cipher = make();
      const answer = JSON.stringify({ statusCode: 201, body: JSON.stringify({ apiKey: secret, padding: 'é'.repeat(6000) }) });
      const envelope = (await envelopeSealer(cipher, answerContext))(answer);
      expect(await openEnvelope(cipher, answerContext, envelope)).toBe(answer);
      expect(JSON.stringify(envelope)).not.toContain(secret.slice(8, 20));
      await expect(openEnvelope(cipher, { ...answerContext, tenantId: 'ten_b' }, envelope)).rejects.toBeInstanceOf(SecretUnreadable);
      await expect(openEnvelope(cipher, { ...answerContext, purpose: 'payments.stripe.secretKey' }, envelope)).rejects.toBeInstanceOf(SecretUnreadable);
      const bytes = Buffer.from(envelope.data, 'base64');
      bytes[bytes.length - 1] ^= 1;
      await expect(openEnvelope(cipher, answerContext, { ...envelope, data: bytes.toString('base64') })).rejects.toBeInstanceOf(SecretUnreadable);
      await expect(openEnvelope(cipher, answerContext, { ...envelope, data: '' })).rejects.toBeInstanceOf(SecretUnreadable);
    });
  });
}

describe('tenant secrets, sealed at rest', () => {
  const key = generateLocalSecretsKey();
  behavesAsASecretCipher('local AES-256-GCM cipher', () => createLocalSecretCipher(key));

  it('local: another key cannot open it, and a bad key is refused at start', async () => {
    const sealed = await createLocalSecretCipher(key).seal(stripeKey, secret);
    await expect(createLocalSecretCipher(generateLocalSecretsKey()).open(stripeKey, sealed)).rejects.toBeInstanceOf(SecretUnreadable);
    await expect(createLocalSecretCipher(key, 'local-2').open(stripeKey, sealed)).rejects.toBeInstanceOf(SecretUnreadable);
    expect(() => createLocalSecretCipher(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('a secret that no longer opens is a 503-kind error naming the setting to set again, never the key', async () => {
    const sealed = await createLocalSecretCipher(key).seal(stripeKey, secret);
    const error = await openSetting(createLocalSecretCipher(generateLocalSecretsKey()), stripeKey, sealed, {
      field: 'settings.payments.stripe.secretKey',
      setAgain: 'PUT /v1/settings',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretUnreadable);
    expect(error).toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/settings\.payments\.stripe\.secretKey cannot be opened .* must be set again: PUT \/v1\/settings/),
      errors: [{ field: 'settings.payments.stripe.secretKey', message: expect.stringContaining('set it again') }],
      reason: expect.stringContaining('does not open'),
    });
    expect((error as Error).message).not.toContain('local-1');
    expect(await openSetting(createLocalSecretCipher(key), stripeKey, sealed, { field: 'x', setAgain: 'y' })).toBe(secret);
  });

  describe('AWS KMS cipher (against a local stand-in of KMS)', () => {
    const kms = new KmsStandIn();
    let cipher: SecretCipher;
    beforeAll(async () => {
      await kms.start();
      cipher = createKmsSecretCipher({
        region: 'eu-west-1',
        keyId: 'alias/crm-secrets',
        endpoint: kms.url,
        credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      });
    });
    afterAll(() => kms.stop());

    behavesAsASecretCipher('contract', () => cipher);

    it('sends the key and the tenant and purpose as encryption context, signed', async () => {
      kms.requests.length = 0;
      const sealed = await cipher.seal(stripeKey, secret);
      await cipher.open(stripeKey, sealed);
      expect(sealed).toMatchObject({ scheme: 'aws-kms', keyId: kms.keyArn });
      expect(kms.requests.map((r) => r.target)).toEqual(['TrentService.Encrypt', 'TrentService.Decrypt']);
      expect(kms.requests[0].body).toMatchObject({
        KeyId: 'alias/crm-secrets',
        EncryptionContext: { tenantId: 'ten_a', purpose: 'payments.stripe.secretKey' },
      });
      expect(Buffer.from(String(kms.requests[0].body.Plaintext), 'base64').toString()).toBe(secret);
      expect(kms.requests[1].body).toMatchObject({ KeyId: kms.keyArn, EncryptionContext: { tenantId: 'ten_a', purpose: 'payments.stripe.secretKey' } });
      expect(kms.requests[0].headers.authorization).toMatch(/Credential=AKIDLOCAL\/\d{8}\/eu-west-1\/kms\/aws4_request/);
    });

    it("does not open a local cipher's value, nor a local cipher a KMS one", async () => {
      const local = createLocalSecretCipher(key);
      await expect(cipher.open(stripeKey, await local.seal(stripeKey, secret))).rejects.toBeInstanceOf(SecretUnreadable);
      await expect(local.open(stripeKey, await cipher.seal(stripeKey, secret))).rejects.toBeInstanceOf(SecretUnreadable);
    });
  });
});
