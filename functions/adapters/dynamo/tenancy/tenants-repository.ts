import type { ApiKeyRecord } from '../../../domain/tenancy';
import type { AutomationRule } from '../../../domain/delivery';
import { NotFound, staleVersion } from '../../../domain/kernel';
import type { Page, PageRequest } from '../../../domain/kernel';
import type { TenantRecord } from '../../../domain/tenancy';
import { isConditionFailure } from '../errors';
import type { CrmService } from '../service';
import { ApiKeyEntity } from './api-key-entity';
import { AutomationRuleEntity } from '../delivery/automation-entity';
import { TenantEntity } from './tenant-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ apiKey: ApiKeyEntity, automationRule: AutomationRuleEntity, tenant: TenantEntity });

/** Tenants and their API keys. A new tenant and its first admin key are written in one transaction. */
export function tenantsRepository(service: CrmService) {
  const { tenant, apiKey } = service.entities;
  return {
    async createTenant(record: TenantRecord, adminKey: ApiKeyRecord, rules: AutomationRule[]) {
      const result = await service.transaction
        .write(({ tenant: t, apiKey: k, automationRule: r }) => [
          t.create(record).commit(),
          k.create(adminKey).commit(),
          ...rules.map((rule) => r.create(rule).commit()),
        ])
        .go();
      if (result.canceled) throw new Error('tenant creation was canceled');
    },
    /** Every tenant's id (the `all` index; a tenant written before the index existed is missing until re-saved). */
    async tenantIds(): Promise<string[]> {
      const { data } = await tenant.query.all({}).go({ pages: 'all', attributes: ['tenantId'] });
      return data.map((t) => t.tenantId);
    },
    async getTenant(tenantId: string): Promise<TenantRecord | null> {
      const { data } = await tenant.get({ tenantId }).go();
      return (data as TenantRecord) ?? null;
    },
    /** Replaces the settings if the tenant record is still at `expectedVersion`; a stale version is a Conflict. */
    async saveTenantSettings(tenantId: string, settings: Record<string, unknown>, expectedVersion: number): Promise<TenantRecord> {
      try {
        const { data } = await tenant
          .patch({ tenantId })
          .set({ settings, version: expectedVersion + 1, updatedAt: new Date().toISOString() })
          .where((attr, { eq }) => eq(attr.version, expectedVersion))
          .go({ response: 'all_new' });
        return data as TenantRecord;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const current = await tenant.get({ tenantId }).go();
        if (!current.data) throw new NotFound('tenant');
        throw staleVersion(expectedVersion, current.data.version);
      }
    },
    async findKey(keyId: string): Promise<ApiKeyRecord | null> {
      const { data } = await apiKey.get({ keyId }).go();
      return (data as ApiKeyRecord) ?? null;
    },
    async createKey(record: ApiKeyRecord) {
      await apiKey.create(record).go();
    },
    /** A user's e-mail, as given when one of their API keys was created (users live in their keys). */
    async userEmail(tenantId: string, userId: string): Promise<string | undefined> {
      const { data } = await apiKey.query
        .byTenant({ tenantId })
        .where((a, { eq }) => eq(a.userId, userId))
        .go({ pages: 5 });
      return (data as ApiKeyRecord[]).find((k) => k.userEmail && !k.revokedAt)?.userEmail;
    },
    async listKeys(tenantId: string, page: PageRequest): Promise<Page<ApiKeyRecord>> {
      const result = await apiKey.query.byTenant({ tenantId }).go({ limit: page.limit, cursor: page.cursor ?? null });
      return { data: result.data as ApiKeyRecord[], nextCursor: result.cursor ?? null };
    },
    async revokeKey(tenantId: string, keyId: string): Promise<ApiKeyRecord> {
      const current = await this.findKey(keyId);
      if (!current || current.tenantId !== tenantId) throw new NotFound('API key');
      if (current.revokedAt) return current;
      const { data } = await apiKey.patch({ keyId }).set({ revokedAt: new Date().toISOString() }).go({ response: 'all_new' });
      return data as ApiKeyRecord;
    },
  };
}

export type TenantsRepository = ReturnType<typeof tenantsRepository>;
