/**
 * Tenancy: tenants (and what a new one starts with: its first admin API key and the standard automation
 * rules), API keys (hashed secrets, roles) and the one permission table that decides every route.
 * Imports the kernel and delivery (the standard rules a tenant starts with).
 *
 *   Tenant.create      ApiKey.issue / authenticate / view      Permissions.can
 */
export * as Tenant from './tenant';
export * as ApiKey from './api-key';
export * as Permissions from './permissions';
export type { TenantRecord, TenantSettings, TenantStore } from './tenant';
export type { ApiKeyRecord, ApiKeyStore } from './api-key';
export type { Action as PermissionAction, Permission, Resource, Role } from './permissions';
export { RESOURCES, ROLES } from './permissions';
