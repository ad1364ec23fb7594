import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newId, nowIso, Unauthenticated } from '../kernel';
import type { Role } from './permissions';

/**
 * API keys look like `crm_<keyId>_<secret>`. The key id finds the record; only a SHA-256 hash of
 * the 256-bit secret is stored, so a leaked table does not leak usable keys.
 */
export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  userId: string;
  userEmail?: string;
  role: Role;
  name: string;
  secretHash: string;
  createdAt: string;
  revokedAt?: string;
}

export interface ApiKeyStore {
  findKey(keyId: string): Promise<ApiKeyRecord | null>;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function issue(input: { tenantId: string; userId: string; userEmail?: string; role: Role; name: string }) {
  const keyId = newId('apiKey');
  const secret = randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = { ...input, keyId, secretHash: hash(secret), createdAt: nowIso() };
  return { record, token: `crm_${keyId}_${secret}` };
}

export async function authenticate(store: ApiKeyStore, token: string) {
  const match = /^crm_(key_[0-9a-z]{26})_([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) throw new Unauthenticated('the API key is not valid');
  const [, keyId, secret] = match;
  const record = await store.findKey(keyId);
  const expected = Buffer.from(record?.secretHash ?? hash('x'), 'hex');
  const actual = Buffer.from(hash(secret), 'hex');
  if (!record || !timingSafeEqual(expected, actual) || record.revokedAt) {
    throw new Unauthenticated('the API key is not valid or was revoked');
  }
  return { tenantId: record.tenantId, userId: record.userId, role: record.role, keyId };
}

export function view(record: ApiKeyRecord) {
  const { secretHash: _h, tenantId: _t, keyId, ...rest } = record;
  return { id: keyId, ...rest, revoked: Boolean(record.revokedAt) };
}
