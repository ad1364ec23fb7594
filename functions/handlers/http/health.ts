import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import openApiDocument from '../../../docs/openapi.json' with { type: 'json' };
import { httpApi, type HttpDeps } from '../../shared/http/api';
import { problem } from '../../shared/http/problem';
import { RawResponse, route, type Routes } from '../../shared/http/route';

/**
 * The API document is generated at build time (`npm run openapi` writes docs/openapi.json from every route
 * module's schemas), so this function bundles none of the route modules, nor the JSON-schema code.
 */
const openApi = () => openApiDocument;

/** Every route here is public: no API key is checked, no Idempotency-Key is stored (no table, no clients). */
const noDeps = (): HttpDeps => {
  throw new Error('the health function serves public routes only');
};

const docsPage = (nonce: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CRM invoicing API</title>
<style nonce="${nonce}">body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:980px;padding:0 1rem;color:#1f2937}
code,pre{background:#f3f4f6;border-radius:4px;padding:.1rem .3rem}h2{border-bottom:1px solid #e5e7eb;margin-top:2rem}
.op{margin:.6rem 0;padding:.5rem .8rem;border:1px solid #e5e7eb;border-radius:6px}.m{font-weight:700;display:inline-block;width:4.5rem}
details pre{white-space:pre-wrap;font-size:12px}</style></head><body><h1>CRM invoicing API</h1>
<p>Generated from <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code>.
Errors are <code>application/problem+json</code>.</p><div id="ops"></div>
<noscript>This page lists the operations with a small script; the raw document is at /openapi.json.</noscript>
<script nonce="${nonce}">fetch('/openapi.json').then(r=>r.json()).then(doc=>{const el=document.getElementById('ops');
for(const [path,ops] of Object.entries(doc.paths)){for(const [m,op] of Object.entries(ops)){const d=document.createElement('div');d.className='op';
const esc=s=>String(s).replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
d.innerHTML='<span class="m">'+m.toUpperCase()+'</span><code>'+esc(path)+'</code> '+esc(op.summary||'')+
(op.requestBody?'<details><summary>body</summary><pre>'+esc(JSON.stringify(op.requestBody.content['application/json'].schema,null,2))+'</pre></details>':'')+
'<details><summary>responses</summary><pre>'+esc(JSON.stringify(op.responses,null,2))+'</pre></details>';el.appendChild(d);}}});</script></body></html>`;

/** The operations of the API by path template, read from the generated document: what a 404 or 405 can point at. */
const operations = (() => {
  const doc = openApiDocument as unknown as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).map(([template, ops]) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '[^/]+')}$`),
    methods: Object.keys(ops).map((m) => m.toUpperCase()),
  }));
})();

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
  const ranked = operations.map((o) => ({ template: o.template, score: score(o.template) })).filter((o) => o.score >= 1.5);
  const best = Math.max(0, ...ranked.map((o) => o.score));
  return ranked
    .filter((o) => o.score === best)
    .map((o) => o.template)
    .slice(0, 3);
}

/** Any route the API does not have: problem+json 404 (with the nearest paths), or 405 with the methods it allows. */
function unknownRoute(method: string, path: string): RawResponse {
  const known = operations.find((o) => o.pattern.test(path));
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
  'GET /docs': route({
    summary: 'A readable page of the OpenAPI document',
    permission: 'public',
    handler: async () => {
      const nonce = randomBytes(16).toString('base64');
      return new RawResponse({
        statusCode: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        },
        body: docsPage(nonce),
      });
    },
  }),
};

export const handler = httpApi(routes, noDeps);
