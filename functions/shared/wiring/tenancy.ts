/** Tenancy's wiring: tenants and their API keys, and the tenant's default currency (a port of sales and invoicing). */
import { tenantsRepository } from '../../adapters/dynamo/tenancy/tenants-repository';
import { Settings } from '../../domain/documents';
import type { SellerLegalDetails } from '../../domain/invoicing';
import { Register } from '../../domain/register';
import { once, service } from './core';

export const tenants = once(() => tenantsRepository(service()));

/** The tenant's default currency: its setting, else EUR (documents' Settings.defaultCurrency). */
export async function defaultCurrency(tenantId: string): Promise<string> {
  return Settings.defaultCurrency((await tenants().getTenant(tenantId))?.settings);
}

/** The seller's legal details the tenant's settings give (what issuing an invoice checks), or null when none. */
export async function sellerDetails(tenantId: string): Promise<SellerLegalDetails | null> {
  const tenant = await tenants().getTenant(tenantId);
  if (!tenant) return null;
  const s = Settings.documentSettingsOf(tenant.settings);
  return { legalName: s.legalName, taxId: s.taxId, address: s.address };
}

/** The issuer NIF whose register chain the tenant's issues and cancellations append to (settings.verifactu), or null when off. */
export async function registerIssuer(tenantId: string): Promise<string | null> {
  return Register.activeIssuer((await tenants().getTenant(tenantId))?.settings);
}
