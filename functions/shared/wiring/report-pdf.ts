/**
 * One-page report PDFs (aging, forecast): the report's HTML (domain/reporting/report-page.ts, inline SVG chart,
 * no script) rendered by the same sandboxed Chromium renderer as invoices, with the built-in fonts.
 */
import { ASSET_ORIGIN } from '../../adapters/pdf/assets';
import { builtinTemplates, pdfRenderer } from './pdf';

export { ASSET_ORIGIN };

export async function renderReportPdf(html: string, tenantId: string): Promise<Buffer> {
  const renderer = pdfRenderer();
  renderer.prepare();
  const builtins = await builtinTemplates();
  const { pdf } = await renderer.render(html, { sharedAssets: builtins.assets, assets: {}, tenant: tenantId });
  return pdf;
}
