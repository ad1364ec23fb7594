/** Tenancy's wiring: tenants and their API keys, and the tenant's default currency (a port of sales and invoicing). */
import { tenantsRepository } from '../../adapters/dynamo/tenancy/tenants-repository';
import { Settings } from '../../domain/documents';
import type { SellerLegalDetails } from '../../domain/invoicing';
import { Register } from '../../domain/register';
import { once, service } from './core';

export const tenants = /* @__PURE__ */ once(() => tenantsRepository(service()));

/** The tenant's default currency: its setting, else EUR (documents' Settings.defaultCurrency). */
export async function defaultCurrency(tenantId: string): Promise<string> {
  return Settings.defaultCurrency((await tenants().getTenant(tenantId))?.settings);
}

/** The tenant's time zone setting (an IANA zone; UTC when none): the days of its operations are counted in it. */
export async function timeZoneSetting(tenantId: string): Promise<string> {
  const zone = ((await tenants().getTenant(tenantId))?.settings as { timeZone?: unknown } | undefined)?.timeZone;
  return typeof zone === 'string' && zone ? zone : 'UTC';
}

/** The seller's legal details the tenant's settings give (what issuing an invoice checks), or null when none. */
/** The tenant's limit for simplified invoices (settings.simplifiedInvoiceLimit, default 400.00). */
export async function simplifiedInvoiceLimit(tenantId: string): Promise<string> {
  return Settings.simplifiedInvoiceLimit((await tenants().getTenant(tenantId))?.settings);
}

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
