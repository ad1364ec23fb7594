import * as z from 'zod';
import { OPENAPI_EXAMPLES } from './openapi-examples';
import type { Routes } from './route';

const problemSchema = {
  type: 'object',
  description: 'An RFC 9457 problem: what went wrong (detail) and, per field, what to change (errors).',
  required: ['type', 'title', 'status', 'detail', 'errors'],
  properties: {
    type: { type: 'string', description: 'A URI naming the kind of problem (see the error catalogue in the API description)' },
    title: { type: 'string', description: 'The kind of problem in words (the same for every problem of a type)' },
    status: { type: 'integer', description: 'The HTTP status' },
    detail: { type: 'string', description: 'What went wrong with this request, in a sentence' },
    errors: {
      type: 'array',
      description: 'Every problem at once, each naming the field (a JSON path such as lines[0].unitPrice)',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  examples: [
    {
      type: 'https://docs.crm-invoicing.dev/problems/invalid-request',
      title: 'Invalid request',
      status: 400,
      detail: 'the input is invalid',
      errors: [{ field: 'lines[0].unitPrice', message: 'amounts are decimal strings, e.g. "95.50" (a JSON number loses digits)' }],
    },
  ],
};

const statusText: Record<number, string> = {
  400: 'Malformed request: invalid JSON, wrong types, unknown or missing fields',
  401: 'No API key, or an invalid or revoked one (or the "Bearer " prefix is missing)',
  403: "The key's role may not do this",
  404: "Not found (also for another tenant's objects)",
  409: 'Conflict: stale version, duplicate, or an idempotent request still in progress',
  413: 'Body too large',
  422: 'Valid JSON that breaks a business rule (every problem listed in errors)',
  429: 'Throttled',
};

/** The resources, in the order a newcomer meets them: each operation is grouped under one (its path's). */
const TAGS: { name: string; prefix: string; description: string }[] = [
  {
    name: 'Companies',
    prefix: '/v1/companies',
    description: 'Client companies: legal name, form, tax id (checked where a rule exists), address, bank account, language (`locale`).',
  },
  { name: 'Contacts', prefix: '/v1/contacts', description: 'Client people, on their own or at a company; a contact may carry its own `locale`.' },
  { name: 'Products', prefix: '/v1/products', description: 'The catalogue lines are priced from.' },
  { name: 'Leads', prefix: '/v1/leads', description: 'Leads and their conversion into a deal, a contact and a company.' },
  { name: 'Deals', prefix: '/v1/deals', description: 'Deals with priced lines and stages.' },
  {
    name: 'Quotes',
    prefix: '/v1/quotes',
    description: 'Quotes: sent with a public page where the client accepts and signs; the acceptance makes and sends the invoice.',
  },
  {
    name: 'Invoices',
    prefix: '/v1/invoices',
    description: 'Invoices: drafts, stage moves (leaving NEW issues them: number, date, legal minimum checked), documents, sending, timeline.',
  },
  { name: 'Documents', prefix: '/v1/documents', description: 'Rendered PDFs and their public links.' },
  { name: 'Pipelines', prefix: '/v1/pipelines', description: 'Stages (with required fields) of invoices, leads and deals; invoice number formats.' },
  { name: 'Automation', prefix: '/v1/automation', description: 'Rules run when an invoice enters a stage or a quote is accepted.' },
  { name: 'Templates', prefix: '/v1/templates', description: 'Handlebars document templates and their previews.' },
  { name: 'Settings', prefix: '/v1/settings', description: "The tenant's seller details (what issuing checks), language, sender, colours and images." },
  { name: 'API keys', prefix: '/v1/api-keys', description: 'Keys of the tenant (admins).' },
  { name: 'Public links', prefix: '/p/', description: "What the client opens, without a key: the document, the e-mail's open pixel, the quote page." },
  { name: 'Service', prefix: '/', description: 'Health and this reference.' },
];

/** A resource this list does not name yet (a new /v1/<things>): its own tag, named after the path. */
function derivedTag(path: string): { name: string; prefix: string; description: string } | undefined {
  const match = /^\/(?:v1\/)?([a-z][a-z-]*)/.exec(path);
  if (!match || ['health', 'openapi', 'docs'].some((p) => match[1]!.startsWith(p))) return undefined;
  const words = match[1]!.replace(/-/g, ' ');
  return { name: words.charAt(0).toUpperCase() + words.slice(1), prefix: match[0], description: `The routes under ${match[0]}.` };
}

const tagFor = (path: string) =>
  TAGS.find((t) => t.name !== 'Service' && (path === t.prefix || path.startsWith(t.prefix.endsWith('/') ? t.prefix : `${t.prefix}/`))) ??
  derivedTag(path) ??
  TAGS.find((t) => t.name === 'Service')!;
const tagOf = (path: string) => tagFor(path).name;

/** The API's own description: how to call it, its conventions, and the error catalogue. */
const DESCRIPTION = `A serverless CRM invoicing API: clients, leads, deals, quotes, invoices, PDF documents, e-mail and SMS delivery, automation.

## Calling it
- **Authentication**: every /v1 route needs \`Authorization: Bearer <api key>\` (the word Bearer, a space, the key \`crm_<keyId>_<secret>\`). The tenant always comes from the key.
- **Money and quantities are decimal strings**: \`"1210.00"\`, \`"1.5"\` (a JSON number is refused: it loses digits). Dates are \`YYYY-MM-DD\`; instants ISO 8601 UTC.
- **Idempotency-Key** on every POST: the same key with the same body returns the first answer; with another body, 422.
- **Optimistic concurrency**: objects carry \`version\`; PATCH and stage moves take \`If-Match: <version>\` (or \`version\` in the body) and answer 409 when it is stale.
- **Lists**: \`?limit=50&cursor=...\` -> \`{ "data": [...], "nextCursor": "..." | null }\`.
- **Languages**: every text a client receives (quote page, e-mails, SMS, PDFs) is in the client's \`locale\` (companies and contacts), else the tenant's (settings): en, es, ru, ro.

## Error catalogue
Every error is \`application/problem+json\` (RFC 9457): \`{ type, title, status, detail, errors: [{ field, message }] }\`, every problem listed at once.

| status | title | when | what to do |
|---|---|---|---|
| 400 | Invalid request | malformed JSON, a wrong type, an unknown or missing field; money sent as a JSON number ("amounts are decimal strings, e.g. \\"95.50\\"") | fix the fields named in \`errors\` |
| 401 | Unauthorized | no key, a revoked or unknown one, or the \`Bearer \` prefix missing | send \`Authorization: Bearer <api key>\` |
| 403 | Forbidden | the key's role may not do this (admin, manager, accountant, viewer) | use a key of another role |
| 404 | Not found | no such object (another tenant's objects look the same), or no such route (the detail names the nearest paths) | check the id or the path |
| 405 | Method not allowed | a route that exists, with another method; the \`Allow\` header lists the methods | use one of them |
| 409 | Conflict | a stale \`version\`, a duplicate (the problem names the existing object), a state that forbids the change, an idempotent request in progress | read the object again and retry |
| 413 | Payload too large | the body is larger than the route accepts | send less |
| 422 | Unprocessable request | valid JSON that breaks a rule: an unknown stage ("unknown stage \\"sent\\"; stages are NEW, SENT, ..."), the fields a stage requires, the legal minimum of an invoice (seller and client legal name, tax id, address), an invalid tax id | complete what \`errors\` lists |
| 429 | Too many requests | throttled | retry later |
| 503 | Service unavailable | a dependency (e-mail, SMS) is down | retry later |
`;

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
        description: m[1] === 'token' ? 'the public link token (the credential)' : 'the id',
      }));
      if (def.query) {
        const q = jsonSchema(def.query, 'input') as { properties?: Record<string, { description?: string }>; required?: string[] };
        for (const [name, schema] of Object.entries(q.properties ?? {})) {
          parameters.push({
            name,
            in: 'query',
            required: q.required?.includes(name) ?? false,
            schema,
            ...(schema.description ? { description: schema.description } : {}),
          });
        }
      }
      const secured = def.permission !== 'public';
      if (method === 'POST' && secured && def.idempotent !== false) {
        parameters.push({
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          schema: { type: 'string', maxLength: 255 },
          description: `the same key with the same body returns the first answer (24 h)${def.idempotentUpToBytes ? `; honoured for bodies up to ${def.idempotentUpToBytes / 1024} KiB` : ''}`,
        });
      }
      if (method === 'PATCH' || method === 'DELETE') {
        parameters.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'the version you read' });
      }
      const example = OPENAPI_EXAMPLES[routeKey];
      const status = def.status ?? 200;
      const responses: Record<string, unknown> = {
        [status]:
          status === 204
            ? { description: 'Done' }
            : {
                description: 'Success',
                ...(def.response
                  ? {
                      content: {
                        'application/json': { schema: jsonSchema(def.response, 'output'), ...(example?.response ? { example: example.response } : {}) },
                      },
                    }
                  : {}),
              },
      };
      const errorStatuses = new Set([
        400,
        ...(secured ? [401, 403, 429] : []),
        ...(path.includes('{') ? [404] : []),
        ...(method === 'PATCH' ? [409] : []),
        ...(def.errors ?? []),
      ]);
      if (def.body) errorStatuses.add(413);
      for (const s of [...errorStatuses].sort()) {
        responses[s] = { $ref: `#/components/responses/Problem${s}` };
      }
      (paths[path] ??= {})[method.toLowerCase()] = {
        tags: [tagOf(path)],
        summary: def.summary.length > 100 ? `${def.summary.slice(0, def.summary.lastIndexOf(' ', 96))}…` : def.summary,
        description: def.summary,
        operationId: `${method.toLowerCase()}${path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string) => (c ? c.toUpperCase() : ''))}`,
        ...(secured ? {} : { security: [] }),
        parameters,
        ...(def.body
          ? {
              requestBody: {
                required: true,
                content: {
                  'application/json': { schema: jsonSchema(def.body, 'input'), ...(example?.request ? { example: example.request } : {}) },
                  ...(def.textBody ? { [def.textBody.mediaType]: { schema: { type: 'string', description: `the ${def.textBody.field} itself` } } } : {}),
                },
              },
            }
          : {}),
        responses,
      };
    }
  }
  const used = new Map(Object.keys(paths).map((path) => [tagOf(path), tagFor(path)]));
  const tags = [...TAGS.filter((t) => used.has(t.name)), ...[...used.values()].filter((t) => !TAGS.includes(t))];
  return {
    openapi: '3.1.0',
    info: { ...info, description: DESCRIPTION, license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' } },
    servers: [{ url: '/', description: 'this deployment (npm start: http://127.0.0.1:3000)' }],
    tags: [...new Map(tags.map((t) => [t.name, { name: t.name, description: t.description }])).values()],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer crm_<keyId>_<secret>' } },
      schemas: { Problem: problemSchema },
      responses: Object.fromEntries(
        Object.entries(statusText).map(([s, description]) => [
          `Problem${s}`,
          { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        ]),
      ),
    },
    security: [{ apiKey: [] }],
    paths,
  };
}
