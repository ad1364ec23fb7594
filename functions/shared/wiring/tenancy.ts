/** Tenancy's wiring: tenants and their API keys, and the tenant's default currency (a port of sales and invoicing). */
import { tenantsRepository } from '../../adapters/dynamo/tenancy/tenants-repository';
import { Settings } from '../../domain/documents';
import { once, service } from './core';

export const tenants = once(() => tenantsRepository(service()));

/** The tenant's default currency: its setting, else EUR (documents' Settings.defaultCurrency). */
export async function defaultCurrency(tenantId: string): Promise<string> {
  return Settings.defaultCurrency((await tenants().getTenant(tenantId))?.settings);
}
