import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { httpApi, type HttpDeps } from '../../shared/http/api';
import { problem } from '../../shared/http/problem';
import { RawResponse, route, type Routes } from '../../shared/http/route';

/**
 * The API document is generated at build time (`npm run openapi` writes docs/openapi.json from every route
 * module's schemas), so this function bundles none of the route modules, nor the JSON-schema code. The document
 * is a file beside the bundle (copied at synth like the viewer's files), not code: read and parsed once per container.
 */
let openApiDocument: { paths: Record<string, Record<string, unknown>> } | undefined;
const openApi = () => {
  if (!openApiDocument) {
    const here = dirname(fileURLToPath(import.meta.url));
    const beside = join(here, 'docs-viewer', 'openapi.json');
    openApiDocument = JSON.parse(readFileSync(existsSync(beside) ? beside : join(here, '../../../docs/openapi.json'), 'utf8'));
  }
  return openApiDocument!;
};

/** Every route here is public: no API key is checked, no Idempotency-Key is stored (no table, no clients). */
const noDeps = (): HttpDeps => {
  throw new Error('the health function serves public routes only');
};

/**
 * The API reference at /docs: Swagger UI (swagger-ui-dist, served from here: no CDN) reading /openapi.json, with the
 * operations grouped by resource (tags), a filter box, every parameter, the examples and the schemas' descriptions.
 * The viewer's two files are copied beside the bundle at synth (infra/functions.ts, `files`), never bundled
 * into the code; locally they are read from node_modules.
 */
const docsPage = (nonce: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>CRM invoicing API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"><style nonce="${nonce}">body{margin:0}.topbar{display:none}</style></head>
<body><noscript>The reference needs JavaScript; the document itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="reference"></div><script src="/docs/swagger-ui.js"></script>
<script nonce="${nonce}">window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true, filter: true,
docExpansion: 'list', defaultModelsExpandDepth: 0, defaultModelExpandDepth: 2, displayRequestDuration: true, showExtensions: false,
showCommonExtensions: true, tryItOutEnabled: false, validatorUrl: null, syntaxHighlight: { activated: true, theme: 'agate' } });</script>
</body></html>`;

/** Where the viewer's files are: beside the bundle (Lambda), else in node_modules (npm start, tests). */
function viewerDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'docs-viewer');
  if (existsSync(join(beside, 'swagger-ui-bundle.js'))) return beside;
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

const viewerFiles = new Map<string, string>();
/** A viewer file as a response, read once per container; cached a day by browsers. */
function viewerFile(name: 'swagger-ui-bundle.js' | 'swagger-ui.css', contentType: string): RawResponse {
  let body = viewerFiles.get(name);
  if (body === undefined) {
    body = readFileSync(join(viewerDir(), name), 'utf8');
    viewerFiles.set(name, body);
  }
  return new RawResponse({
    statusCode: 200,
    headers: { 'content-type': contentType, 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' },
    body,
  });
}

/** The operations of the API by path template, read from the generated document: what a 404 or 405 can point at. */
let operationsRead: { template: string; pattern: RegExp; methods: string[] }[] | undefined;
const operations = () =>
  (operationsRead ??= Object.entries(openApi().paths).map(([template, ops]) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '[^/]+')}$`),
    methods: Object.keys(ops).map((m) => m.toUpperCase()),
  })));

/** The paths nearest to a mistyped one (same first segments), for the 404's hint. */
function nearestPaths(path: string): string[] {
  const segments = path.split('/').filter(Boolean);
  const score = (template: string) => {
    const other = template.split('/').filter(Boolean);
    let same = 0;
    while (same < segments.length && same < other.length && (other[same] === segments[same] || other[same]!.startsWith('{'))) same++;
    const close = other[same] && segments[same] && (other[same]!.startsWith(segments[same]!) || segments[same]!.startsWith(other[same]!)) ? 0.5 : 0;
    return same + close;
  };
  const ranked = operations()
    .map((o) => ({ template: o.template, score: score(o.template) }))
    .filter((o) => o.score >= 1.5);
  const best = Math.max(0, ...ranked.map((o) => o.score));
  // Among the best, the paths as long as the one asked for come first (/v1/invoice -> /v1/invoices before its sub-routes)
  const depth = (template: string) => Math.abs(template.split('/').filter(Boolean).length - segments.length);
  return ranked
    .filter((o) => o.score === best)
    .sort((a, b) => depth(a.template) - depth(b.template))
    .map((o) => o.template)
    .slice(0, 3);
}

/** Any route the API does not have: problem+json 404 (with the nearest paths), or 405 with the methods it allows. */
function unknownRoute(method: string, path: string): RawResponse {
  const known = operations().find((o) => o.pattern.test(path));
  if (known) {
    const allow = known.methods.join(', ');
    const response = problem(405, 'Method not allowed', `${method} is not allowed on ${known.template}; it answers ${allow}`, [
      { field: 'method', message: `use one of ${allow}` },
    ]);
    return new RawResponse({ ...response, headers: { ...response.headers, allow } });
  }
  const near = nearestPaths(path);
  const hint = near.length ? `; did you mean ${near.join(' or ')}?` : '; GET /docs lists every route';
  return new RawResponse(problem(404, 'Not found', `no route ${method} ${path}${hint}`, [{ field: 'path', message: 'unknown route' }]));
}

export const routes: Routes = {
  'GET /health': route({
    summary: 'Liveness check',
    permission: 'public',
    response: z.object({ status: z.literal('ok'), time: z.string() }),
    handler: async () => ({ status: 'ok', time: new Date().toISOString() }),
  }),
  'GET /openapi.json': route({
    summary: 'This API as an OpenAPI 3.1 document',
    permission: 'public',
    handler: async () => openApi(),
  }),
  'ANY /{proxy+}': route({
    summary: 'Every route the API does not have: a problem+json 404, or 405 with Allow for a known path and another method',
    permission: 'public',
    handler: async ({ event }) => unknownRoute(event.requestContext.http.method, event.rawPath),
  }),
  'GET /docs/swagger-ui.js': route({
    summary: "The API reference viewer's script (Swagger UI)",
    permission: 'public',
    handler: async () => viewerFile('swagger-ui-bundle.js', 'text/javascript; charset=utf-8'),
  }),
  'GET /docs/swagger-ui.css': route({
    summary: "The API reference viewer's stylesheet (Swagger UI)",
    permission: 'public',
    handler: async () => viewerFile('swagger-ui.css', 'text/css; charset=utf-8'),
  }),
  'GET /docs': route({
    summary: 'The API reference: every operation by resource, its parameters, examples and errors (Swagger UI on /openapi.json)',
    permission: 'public',
    handler: async () => {
      const nonce = randomBytes(16).toString('base64');
      return new RawResponse({
        statusCode: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          // the viewer sets inline styles as it renders (hence 'unsafe-inline' for styles only); scripts: ours by nonce, its file by origin
          'content-security-policy': `default-src 'none'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        },
        body: docsPage(nonce),
      });
    },
  }),
};

export const handler = httpApi(routes, noDeps);
