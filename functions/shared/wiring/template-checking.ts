/**
 * Checking tenants' templates on upload: Handlebars only, no Chromium, so the templates API function
 * stays small. (Rendering lives in wiring/pdf.ts, imported only by the PDF-capable functions.)
 */
export { BUILTIN_PARTIAL_NAMES } from '../../adapters/pdf/builtin-templates';
export { checkTemplate, describeTemplateError, TemplateError } from '../../adapters/pdf/template-engine';
export { checkTemplateBounded } from '../../adapters/pdf/template-worker';
