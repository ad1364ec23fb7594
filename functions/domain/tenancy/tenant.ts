/**
 * Tenants: one company using the service, with its settings, its users' API keys and its automation rules.
 * The record type is `Tenant.Info`.
 */
import { Automation, type AutomationRule } from '../delivery';
import { newId, nowIso } from '../kernel';
import { issue, type ApiKeyRecord } from './api-key';

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
  /** The tenant, its first key and its starting automation rules, all or nothing. */
  createTenant(record: TenantRecord, adminKey: ApiKeyRecord, rules: AutomationRule[]): Promise<void>;
}

/**
 * The seller details of the local demo tenant (`npm start`) and of the test tenants: complete, so that their
 * invoices can be issued, and clearly fictitious (a reserved .example domain, a made-up street; the tax id only
 * passes the Spanish check-character rule).
 */
export function demoSellerDetails(name: string): Record<string, unknown> {
  return {
    name,
    legalName: `${name} S.L.`,
    legalForm: 'S.L.',
    taxId: 'B12345674',
    address: { line1: 'Calle Ficticia 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
    email: 'billing@demo.example',
    bankAccount: { iban: 'ES91 2100 0418 4502 0005 1332', bic: 'CAIXESBBXXX', bankName: 'Demo Bank (fictitious)' },
  };
}

/** A new tenant with its first admin user and API key (the token is shown once, here) and the standard automation rule. */
export async function create(store: TenantStore, input: { name: string; adminEmail?: string; locale?: string; settings?: Record<string, unknown> }) {
  const now = nowIso();
  const tenant: TenantRecord = {
    tenantId: newId('tenant'),
    name: input.name,
    settings: { ...input.settings, locale: input.locale ?? 'en', senderName: input.name },
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const adminUserId = newId('user');
  const { record, token } = issue({
    tenantId: tenant.tenantId,
    userId: adminUserId,
    userEmail: input.adminEmail,
    role: 'admin',
    name: 'first admin key',
  });
  const rules: AutomationRule[] = Automation.standardRules().map((rule) => ({
    ...rule,
    tenantId: tenant.tenantId,
    id: newId('rule'),
    version: 1,
    activeSince: now,
    createdAt: now,
    updatedAt: now,
  }));
  await store.createTenant(tenant, record, rules);
  return { tenant, adminUserId, apiKey: token };
}

export type { TenantRecord as Info };
