/**
 * `POST /v1/templates/{id}/preview` in a function of its own, declared `pdf: true`: it renders the template
 * with sample data synchronously on the container's warm Chromium and answers the PDF. The other HTTP
 * functions (templates CRUD included) never bundle Chromium.
 */
import { MissingAssetError, SandboxViolationError } from '../../shared/wiring/pdf';
import { describeTemplateError, TemplateError } from '../../shared/wiring/template-checking';
import { DocumentDataError, Printing, Settings, Template } from '../../domain/documents';
import { NotFound, RuleViolation } from '../../domain/kernel';
import { httpApi } from '../../shared/http/api';
import { templatesRepo } from '../../shared/wiring/documents';
import { httpDeps } from '../../shared/wiring/http';
import { tenants } from '../../shared/wiring/tenancy';
import { previewRoutes, type PreviewRenderer } from './templates';

/**
 * The PDF wiring (puppeteer) is loaded on the first preview rather than when this module is imported, so that
 * tools importing every route module (the OpenAPI document, the route tests) do not pay for it. The bundle
 * of this function contains it all the same.
 */
const pdfWiring = () => import('../../shared/wiring/pdf');

const renderPreview: PreviewRenderer = async ({ tenantId, templateId, kind, locale }) => {
  const { imageAssets, renderFailureReason, renderPdf, templateSource } = await pdfWiring();
  const tenant = await tenants().getTenant(tenantId);
  if (!tenant) throw new NotFound('tenant');
  let documentKind = kind ?? 'invoice';
  if (!Template.isBuiltin(templateId)) {
    const template = await templatesRepo().get(tenantId, templateId);
    if (!template) throw new NotFound('template');
    documentKind = kind ?? template.kind;
    if (!Printing.templateFits(template.kind, documentKind)) {
      throw new RuleViolation(`a ${template.kind.replace('_', ' ')} template cannot print a ${documentKind.replace('_', ' ')}`, [
        { field: 'kind', message: `does not fit the template's kind (${template.kind})` },
      ]);
    }
  }
  try {
    const model = Printing.previewDocumentModel(tenant, documentKind, locale);
    const source = await templateSource(tenantId, templateId, documentKind);
    const assets = await imageAssets(Settings.documentSettingsOf(tenant.settings));
    // One attempt: API Gateway gives up after 29 s, and the user can simply ask again.
    return (await renderPdf(source, model, assets, { tenantId, attempts: 1 })).pdf;
  } catch (error) {
    if (error instanceof TemplateError) {
      throw new RuleViolation(
        `the template cannot render the sample document: ${error.errors[0] ? describeTemplateError(error.errors[0]) : error.message}`,
        error.errors.map((e) => ({ field: 'source', message: describeTemplateError(e) })),
      );
    }
    if (error instanceof DocumentDataError || error instanceof MissingAssetError || error instanceof SandboxViolationError) {
      throw new RuleViolation(renderFailureReason(error), [{ field: 'source', message: renderFailureReason(error) }]);
    }
    throw error;
  }
};

export const routes = previewRoutes(renderPreview);

export const handler = httpApi(routes, httpDeps);
