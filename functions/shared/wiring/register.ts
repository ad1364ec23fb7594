/** The register's wiring: the chains' store (reads for the register routes and the invoice's QR). */
import { registerRepository } from '../../adapters/dynamo/register/register-repository';
import { Register } from '../../domain/register';
import { once, service } from './core';
import { tenants } from './tenancy';

export const registerStore = /* @__PURE__ */ once(() => registerRepository(service()));

/** The tenant's register settings (settings.verifactu), or null when never set. */
export async function registerSettings(tenantId: string) {
  return Register.settingsOf((await tenants().getTenant(tenantId))?.settings);
}
