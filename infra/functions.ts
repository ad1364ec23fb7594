/**
 * Every Lambda function of the service and the HTTP routes it serves, declared once.
 * The CDK stacks deploy from this list; the local gateway and local bus load the same handler
 * files from it. Pure data: handler files are named by path, never imported here.
 */
export type Access = 'table' | 'tableRead' | 'bucket' | 'bucketRead' | 'bus' | 'ses' | 'sns';

export interface FunctionSpec {
  entry: string;
  description: string;
  memoryMb?: number;
  timeoutSeconds?: number;
  /** What the function may touch: IAM grants follow from this list, nothing else. */
  access: Access[];
  /** HTTP routes (`METHOD /path`), for functions behind the HTTP API. */
  routes?: string[];
  /** Chromium: bundled with @sparticuz/chromium and given more memory. */
  pdf?: boolean;
  /** Fed by the table's stream. */
  stream?: boolean;
  /** Run on a schedule (EventBridge Scheduler expression). */
  schedule?: string;
}

export const functions = {
  health: {
    entry: 'functions/handlers/http/health.ts',
    description: 'Health check and OpenAPI document',
    access: [],
    routes: ['GET /health', 'GET /openapi.json', 'GET /docs'],
  },
  apiKeys: {
    entry: 'functions/handlers/http/api-keys.ts',
    description: 'API keys of a tenant (admin only)',
    access: ['table'],
    routes: ['GET /v1/api-keys', 'POST /v1/api-keys', 'DELETE /v1/api-keys/{id}'],
  },
  companies: {
    entry: 'functions/handlers/http/companies.ts',
    description: 'Companies (client legal entities)',
    access: ['table'],
    routes: ['POST /v1/companies', 'GET /v1/companies', 'GET /v1/companies/{id}', 'PATCH /v1/companies/{id}', 'DELETE /v1/companies/{id}'],
  },
  contacts: {
    entry: 'functions/handlers/http/contacts.ts',
    description: 'Contacts (people, optionally linked to a company)',
    access: ['table'],
    routes: ['POST /v1/contacts', 'GET /v1/contacts', 'GET /v1/contacts/{id}', 'PATCH /v1/contacts/{id}', 'DELETE /v1/contacts/{id}'],
  },
  products: {
    entry: 'functions/handlers/http/products.ts',
    description: 'Product catalogue',
    access: ['table'],
    routes: ['POST /v1/products', 'GET /v1/products', 'GET /v1/products/{id}', 'PATCH /v1/products/{id}', 'DELETE /v1/products/{id}'],
  },
  publishEvents: {
    entry: 'functions/handlers/events/publish-events.ts',
    description: 'Table stream -> EventBridge: publishes outbox records as domain events',
    access: ['bus'],
    stream: true,
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

/** `METHOD /path` split, with the path's parameter names. */
export function parseRoute(route: string): { method: string; path: string } {
  const [method, path] = route.split(' ');
  return { method, path };
}
