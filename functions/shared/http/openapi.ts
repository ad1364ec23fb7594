import * as z from 'zod';
import type { Routes } from './route';

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'errors'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const statusText: Record<number, string> = {
  400: 'Malformed request: invalid JSON, wrong types, unknown or missing fields',
  401: 'No API key, or an invalid or revoked one',
  403: "The key's role may not do this",
  404: "Not found (also for another tenant's objects)",
  409: 'Conflict: stale version, duplicate, or an idempotent request still in progress',
  413: 'Body too large',
  422: 'Valid JSON that breaks a business rule',
  429: 'Throttled',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output') {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
}

/** OpenAPI 3.1, generated from the very schemas that validate requests. */
export function buildOpenApi(groups: Routes[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const routes of groups) {
    for (const [routeKey, def] of Object.entries(routes)) {
      const [method, path] = routeKey.split(' ');
      if (method === 'ANY') continue; // the catch-all of unknown routes is not an operation
      const parameters: unknown[] = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      }));
      if (def.query) {
        const q = jsonSchema(def.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, schema] of Object.entries(q.properties ?? {})) {
          parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
        }
      }
      const secured = def.permission !== 'public';
      if (method === 'POST' && secured && def.idempotent !== false) {
        parameters.push({
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          schema: { type: 'string', maxLength: 255 },
          ...(def.idempotentUpToBytes ? { description: `honoured for bodies up to ${def.idempotentUpToBytes / 1024} KiB` } : {}),
        });
      }
      if (method === 'PATCH' || method === 'DELETE') {
        parameters.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'the version you read' });
      }
      const status = def.status ?? 200;
      const responses: Record<string, unknown> = {
        [status]:
          status === 204
            ? { description: 'Done' }
            : { description: 'Success', ...(def.response ? { content: { 'application/json': { schema: jsonSchema(def.response, 'output') } } } : {}) },
      };
      const errorStatuses = new Set([
        400,
        ...(secured ? [401, 403] : []),
        ...(path.includes('{') ? [404] : []),
        ...(method === 'PATCH' ? [409] : []),
        ...(def.errors ?? []),
      ]);
      if (def.body) errorStatuses.add(413);
      for (const s of errorStatuses) {
        responses[s] = { description: statusText[s] ?? 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
      }
      (paths[path] ??= {})[method.toLowerCase()] = {
        summary: def.summary,
        operationId: `${method.toLowerCase()}${path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string) => (c ? c.toUpperCase() : ''))}`,
        ...(secured ? {} : { security: [] }),
        parameters,
        ...(def.body
          ? {
              requestBody: {
                required: true,
                content: {
                  'application/json': { schema: jsonSchema(def.body, 'input') },
                  ...(def.textBody ? { [def.textBody.mediaType]: { schema: { type: 'string', description: `the ${def.textBody.field} itself` } } } : {}),
                },
              },
            }
          : {}),
        responses,
      };
    }
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'crm_<keyId>_<secret>' } },
      schemas: { Problem: problemSchema },
    },
    security: [{ apiKey: [] }],
    paths,
  };
}
