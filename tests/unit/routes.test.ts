import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functions } from '../../infra/functions';
import { compileRoutes } from '../../infra/local/gateway';

describe('route declarations', () => {
  // imports every handler module: slow on a loaded machine, hence the longer timeout
  it('every declared route is implemented by its handler file, and every implemented route is declared', { timeout: 30_000 }, async () => {
    const missing: string[] = [];
    const undeclared: string[] = [];
    for (const [name, spec] of Object.entries(functions) as [string, { entry: string; routes?: string[] }][]) {
      if (!spec.routes) continue;
      const mod = (await import(`../../${spec.entry}`)) as { routes?: Record<string, unknown>; handler?: unknown };
      expect(mod.handler, `${name} exports handler`).toBeTypeOf('function');
      for (const r of spec.routes) if (!mod.routes?.[r]) missing.push(`${name}: ${r}`);
      for (const r of Object.keys(mod.routes ?? {})) if (!spec.routes.includes(r)) undeclared.push(`${name}: ${r}`);
    }
    expect(missing).toEqual([]);
    expect(undeclared).toEqual([]);
  });

  it('has no route declared twice and matches literal segments before parameters', () => {
    const compiled = compileRoutes();
    const keys = compiled.map((r) => r.routeKey);
    expect(new Set(keys).size).toBe(keys.length);
    const paths = compiled.map((r) => r.pattern.source);
    for (let i = 1; i < compiled.length; i++) expect(compiled[i - 1].literalSegments).toBeGreaterThanOrEqual(compiled[i].literalSegments);
    expect(paths.length).toBeGreaterThan(0);
  });

  it('documents every route in the OpenAPI document, with problem+json errors', async () => {
    const health = await import('../../functions/handlers/http/health');
    const res = (await health.routes['GET /openapi.json'].handler({} as never)) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
    };
    expect(res.openapi).toBe('3.1.0');
    for (const spec of Object.values(functions) as { routes?: string[] }[]) {
      for (const route of spec.routes ?? []) {
        const [method, path] = route.split(' ');
        if (method === 'ANY') continue; // the catch-all of unknown routes (404/405) is not an operation
        const op = res.paths[path]?.[method.toLowerCase()];
        expect(op, `${route} is documented`).toBeDefined();
        expect(
          Object.keys(op.responses).some((s) => s.startsWith('4')),
          `${route} documents its errors`,
        ).toBe(true);
        if (method === 'POST' && !path.startsWith('/p/')) expect(op.requestBody ?? path.includes('{'), `${route} documents its body`).toBeTruthy();
      }
    }
    const create = res.paths['/v1/companies'].post as {
      requestBody: { content: { 'application/json': { schema: { required: string[]; additionalProperties: boolean } } } };
    };
    expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['name', 'address']));
    expect(create.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });

  it('groups every operation under a resource tag, with examples, field descriptions and the error catalogue', async () => {
    const doc = (await import('../../docs/openapi.json', { with: { type: 'json' } })).default as unknown as {
      info: { description: string };
      tags: { name: string }[];
      paths: Record<
        string,
        Record<
          string,
          {
            tags: string[];
            parameters: { in: string; name: string; description?: string }[];
            requestBody?: { content: Record<string, { example?: unknown; schema: { properties?: Record<string, { description?: string }> } }> };
          }
        >
      >;
    };
    const tagNames = doc.tags.map((t) => t.name);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) expect(tagNames, `${method} ${path}`).toContain(op.tags[0]);
    }
    expect(tagNames).toEqual(expect.arrayContaining(['Companies', 'Invoices', 'Quotes', 'Public links']));
    const list = doc.paths['/v1/invoices'].get;
    expect(list.parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
      expect.arrayContaining(['stage', 'clientId', 'q', 'sort', 'limit', 'cursor']),
    );
    const create = doc.paths['/v1/invoices'].post.requestBody!.content['application/json'];
    expect(create.example).toMatchObject({ currency: 'EUR', lines: expect.any(Array) });
    const company = doc.paths['/v1/companies'].post.requestBody!.content['application/json'].schema.properties!;
    expect(company.locale.description).toMatch(/language/);
    expect(doc.info.description).toContain('Error catalogue');
    expect(doc.info.description).toContain('amounts are decimal strings');
  });

  it('serves docs/openapi.json as committed, and it is what the routes generate (`npm run openapi` rewrites it)', { timeout: 30_000 }, async () => {
    const { OPENAPI_FILE, openApiText } = await import('../../infra/scripts/openapi');
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(await openApiText());
  });
});
