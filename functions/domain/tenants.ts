import { issueApiKey, type ApiKeyRecord } from './api-keys';
import { newId, nowIso } from './ids';

export interface TenantSettings {
  locale: string;
  senderName?: string;
  defaultCurrency?: string;
  [key: string]: unknown;
}

export interface TenantRecord {
  tenantId: string;
  name: string;
  settings: TenantSettings;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface TenantStore {
  createTenant(record: TenantRecord, adminKey: ApiKeyRecord): Promise<void>;
}

/** A new tenant with its first admin user and API key (the token is shown once, here). */
export async function createTenant(store: TenantStore, input: { name: string; adminEmail?: string; locale?: string }) {
  const now = nowIso();
  const tenant: TenantRecord = {
    tenantId: newId('tenant'),
    name: input.name,
    settings: { locale: input.locale ?? 'en', senderName: input.name },
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const adminUserId = newId('user');
  const { record, token } = issueApiKey({
    tenantId: tenant.tenantId,
    userId: adminUserId,
    userEmail: input.adminEmail,
    role: 'admin',
    name: 'first admin key',
  });
  await store.createTenant(tenant, record);
  return { tenant, adminUserId, apiKey: token };
}
