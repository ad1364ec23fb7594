/**
 * Who may do what: every route names a resource and an action, and this table decides,
 * in one place, which roles may. Nothing else in the code checks roles.
 */
export const ROLES = ['admin', 'manager', 'accountant', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const RESOURCES = [
  'companies',
  'contacts',
  'products',
  'leads',
  'deals',
  'quotes',
  'invoices',
  'payments',
  'documents',
  'messages',
  'templates',
  'automation',
  'pipelines',
  'apiKeys',
  'reports',
  'settings',
  /** The register of issued invoices (VERI*FACTU chain): written only by issuing and cancelling invoices. */
  'register',
  /** Outgoing webhook subscriptions and their delivery log (configuration: admins write). */
  'webhooks',
  /** The client's public links (`publicUrl`): whoever holds one can act as the client (accept a quote). */
  'links',
] as const;
export type Resource = (typeof RESOURCES)[number];
export type Action = 'read' | 'write' | 'delete';

export type Permission = `${Resource}:${Action}`;

const crm: Resource[] = ['companies', 'contacts', 'products', 'leads', 'deals', 'quotes', 'invoices', 'documents', 'messages'];
const finance: Resource[] = ['invoices', 'payments', 'documents', 'messages', 'products', 'reports'];

function grants(resources: Resource[], actions: Action[]): Set<Permission> {
  return new Set(resources.flatMap((r) => actions.map((a) => `${r}:${a}` as Permission)));
}

const everything = grants([...RESOURCES], ['read', 'write', 'delete']);
const readAll = grants(
  RESOURCES.filter((r) => r !== 'apiKeys'),
  ['read'],
);

// Configuration (templates, automation rules, pipelines, settings) and API keys: admins only.
// Money (recording, allocating, reversing, refunding payments, importing statements): accountants and admins;
// managers and viewers read it.
// Viewers read everything but the client's links (they get the preview URL instead, which records and accepts nothing).
const matrix: Record<Role, Set<Permission>> = {
  admin: everything,
  manager: new Set([...readAll, ...grants(crm, ['write', 'delete'])]),
  accountant: new Set([...readAll, ...grants(finance, ['write']), ...grants(['payments'], ['delete'])]),
  viewer: new Set([...readAll].filter((p) => p !== 'links:read')),
};

export function can(role: Role, permission: Permission): boolean {
  return matrix[role].has(permission);
}
