import { createHash } from 'node:crypto';
import type * as z from 'zod';
import { BUILTIN_PARTIAL_NAMES, checkTemplateBounded, describeTemplateError } from '../../shared/wiring/template-checking';
import { Template, type DocumentKind, type TemplateKind, type TemplateRecord } from '../../domain/documents';
import { Conflict, newId, NotFound, nowIso, RuleViolation, staleVersion } from '../../domain/kernel';
import { httpApi } from '../../shared/http/api';
import { RawResponse, route, type RequestContext } from '../../shared/http/route';
import { templatesRepo } from '../../shared/wiring/documents';
import { httpDeps } from '../../shared/wiring/http';
import { storage } from '../../shared/wiring/storage';
import { ListQuery, page } from './schemas/common';
import { PreviewQuery, TemplateBody, TemplateView, TemplateWithSource } from './schemas/templates';

/** JSON escaping can double the size of HTML: room for a 256 KB source. */
const MAX_BODY_BYTES = 640 * 1024;
const SOURCE_CONTENT_TYPE = 'text/x-handlebars-template; charset=utf-8';

/** Only the partials' names matter to validation (this function does not carry the built-in sources). */
const PARTIAL_STUBS = Object.fromEntries(BUILTIN_PARTIAL_NAMES.map((name) => [name, '']));

/**
 * A template is checked on upload: it must compile, render the sample document of its kind, and render the
 * largest document the API allows within the limits of a render (off the request's thread). Every problem
 * is answered as a 422 field error on `source`, located: "line 3, column 5: ...".
 */
async function validateSource(source: string, kind: TemplateKind): Promise<void> {
  const errors = await checkTemplateBounded(source, kind, { partials: PARTIAL_STUBS });
  if (errors.length > 0) {
    throw new RuleViolation(
      `the template has ${errors.length === 1 ? 'an error' : `${errors.length} errors`}: ${describeTemplateError(errors[0]!)}`,
      errors.map((error) => ({ field: 'source', message: describeTemplateError(error) })),
    );
  }
}

async function storeSource(tenantId: string, templateId: string, version: number, source: string) {
  const bytes = Buffer.from(source, 'utf8');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const s3Key = Template.sourceKey(tenantId, templateId, version, sha256);
  await storage().put(s3Key, bytes, SOURCE_CONTENT_TYPE, { sha256 });
  return { s3Key, sha256, size: bytes.byteLength };
}

async function tenantTemplate(tenantId: string, id: string): Promise<TemplateRecord> {
  const template = Template.isBuiltin(id) ? null : await templatesRepo().get(tenantId, id);
  if (!template) throw new NotFound('template');
  return template;
}

function refuseBuiltin(id: string): void {
  if (Template.isBuiltin(id)) {
    throw new Conflict('the standard template is built in and read-only: upload your own with POST /v1/templates', [{ field: 'id', message: 'read-only' }]);
  }
}

export const routes = {
  'GET /v1/templates': route({
    summary: "Document templates: the built-in standard one (first page) and the tenant's own, newest first",
    permission: 'templates:read',
    query: ListQuery,
    response: page(TemplateView),
    handler: async ({ caller, query }) => {
      const list = await templatesRepo().list(caller.tenantId, { limit: query.limit, cursor: query.cursor });
      return {
        data: [...(query.cursor ? [] : [Template.builtinView()]), ...list.data.map(Template.view)],
        nextCursor: list.nextCursor,
      };
    },
  }),
  'POST /v1/templates': route({
    summary: 'Upload a Handlebars HTML template (validated: errors come back with line numbers)',
    permission: 'templates:write',
    body: TemplateBody,
    response: TemplateView,
    status: 201,
    maxBodyBytes: MAX_BODY_BYTES,
    errors: [413, 422],
    handler: async ({ caller, body }) => {
      await validateSource(body.source, body.kind);
      const id = newId('template');
      const now = nowIso();
      const stored = await storeSource(caller.tenantId, id, 1, body.source);
      const record: TemplateRecord = {
        tenantId: caller.tenantId,
        id,
        name: body.name,
        kind: body.kind,
        ...stored,
        createdBy: caller.userId,
        updatedBy: caller.userId,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      return Template.view(await templatesRepo().create(record));
    },
  }),
  'GET /v1/templates/{id}': route({
    summary: 'A template with its source (null for the built-in one)',
    permission: 'templates:read',
    response: TemplateWithSource,
    handler: async ({ caller, params }) => {
      if (Template.isBuiltin(params.id)) return { ...Template.builtinView(), source: null };
      const template = await tenantTemplate(caller.tenantId, params.id);
      return { ...Template.view(template), source: (await storage().get(template.s3Key)).toString('utf8') };
    },
  }),
  'PUT /v1/templates/{id}': route({
    summary: 'Replace a template with a new version (If-Match or version for optimistic concurrency)',
    permission: 'templates:write',
    body: TemplateBody,
    response: TemplateView,
    maxBodyBytes: MAX_BODY_BYTES,
    errors: [409, 413, 422],
    handler: async ({ caller, params, body, ifMatch }) => {
      refuseBuiltin(params.id);
      const current = await tenantTemplate(caller.tenantId, params.id);
      const expected = ifMatch ?? body.version ?? current.version;
      if (expected !== current.version) throw staleVersion(expected, current.version);
      await validateSource(body.source, body.kind);
      const stored = await storeSource(caller.tenantId, current.id, current.version + 1, body.source);
      const updated = await templatesRepo().update(
        caller.tenantId,
        current.id,
        { name: body.name, kind: body.kind, ...stored, updatedBy: caller.userId },
        current.version,
      );
      return Template.view(updated);
    },
  }),
  'DELETE /v1/templates/{id}': route({
    summary: 'Delete a template (documents already rendered with it keep their PDF)',
    permission: 'templates:delete',
    status: 204,
    errors: [409],
    handler: async ({ caller, params, ifMatch }) => {
      refuseBuiltin(params.id);
      await tenantTemplate(caller.tenantId, params.id);
      await templatesRepo().remove(caller.tenantId, params.id, ifMatch);
    },
  }),
};

/** What the preview function renders: the template's sample document as PDF bytes. */
export type PreviewRenderer = (input: { tenantId: string; templateId: string; kind?: DocumentKind; locale?: string }) => Promise<Buffer>;

/**
 * `POST /v1/templates/{id}/preview`, served by its own PDF-capable function (template-preview.ts) so that
 * this one never carries Chromium. Declared here, beside the other template routes, for the API document.
 */
export function previewRoutes(render: PreviewRenderer) {
  return {
    'POST /v1/templates/{id}/preview': route({
      summary: "Render the template with sample data (and the tenant's seller details and images): the PDF itself (admins: a render costs a Chromium run)",
      permission: 'templates:write',
      query: PreviewQuery,
      errors: [422],
      handler: async ({ caller, params, query }: RequestContext<undefined, z.infer<typeof PreviewQuery>>) => {
        const pdf = await render({ tenantId: caller.tenantId, templateId: params.id, kind: query.kind, locale: query.locale });
        return rawPdf(pdf, `preview-${params.id.replace(/[^\w.-]/g, '_')}.pdf`);
      },
    }),
  };
}

function rawPdf(pdf: Buffer, filename: string) {
  return new RawResponse({
    statusCode: 200,
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${filename}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: pdf.toString('base64'),
    isBase64Encoded: true,
  });
}

export const handler = httpApi(routes, httpDeps);
