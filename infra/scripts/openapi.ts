/**
 * `npm run openapi`: writes docs/openapi.json, the HTTP reference of the API, generated from the very zod
 * schemas that validate requests (every route module of infra/functions.ts). The health function serves
 * the committed file at GET /openapi.json, so it bundles no route module and no JSON-schema code; a unit
 * test (tests/unit/routes.test.ts) fails when the file is not what the routes generate.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { functions } from '../functions';
import type { Routes } from '../../functions/shared/http/route';

const root = resolve(import.meta.dirname, '../..');
export const OPENAPI_FILE = resolve(root, 'docs/openapi.json');

/** The OpenAPI 3.1 document of every route declared in infra/functions.ts. */
export async function generateOpenApi() {
  const { buildOpenApi } = await import('../../functions/shared/http/openapi');
  const groups: Routes[] = [];
  for (const spec of Object.values(functions) as { entry: string; routes?: string[] }[]) {
    if (!spec.routes?.length) continue;
    const mod = (await import(pathToFileURL(resolve(root, spec.entry)).href)) as { routes: Routes };
    groups.push(mod.routes);
  }
  return buildOpenApi(groups, { title: 'CRM invoicing API', version: '1.0.0' });
}

/** The document as written to docs/openapi.json. */
export async function openApiText(): Promise<string> {
  return `${JSON.stringify(await generateOpenApi(), null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.env.TABLE_NAME ??= 'openapi';
  writeFileSync(OPENAPI_FILE, await openApiText());
  console.log(`written ${OPENAPI_FILE}`);
}
