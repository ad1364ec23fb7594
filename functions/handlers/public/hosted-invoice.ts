/**
 * The hosted invoice page's heavier routes, in a function of their own so that the public links function (the
 * page itself, the quote page, the pixel) stays small: the UBL e-invoice download (the EN 16931 engine), and
 * card payment (the Stripe library).
 */
import { Settings as DocumentSettingsArea } from '../../domain/documents';
import { EInvoice } from '../../domain/einvoicing';
import type { Invoice } from '../../domain/invoicing';
import { httpApi } from '../../shared/http/api';
import { RawResponse, route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { hostedInvoices } from '../../shared/wiring/hosted';
import { tenants } from '../../shared/wiring/tenancy';
import { invoiceLink } from './invoice-page';
import { notAvailable } from './page';

type Tenant = NonNullable<Awaited<ReturnType<ReturnType<typeof tenants>['getTenant']>>>;

/** The UBL e-invoice of an issued invoice or credit note; null when it has none (draft, proforma, missing data). */
function ublOf(invoice: Invoice.Info, tenant: Tenant): string | null {
  try {
    return EInvoice.build(EInvoice.fromInvoice(invoice, DocumentSettingsArea.documentSettingsOf(tenant.settings), { tenantName: tenant.name }), 'ubl');
  } catch {
    return null;
  }
}

export const routes = {
  'GET /p/{token}/xml': route({
    summary: 'The e-invoice of an invoice link (UBL 2.1, EN 16931), made from the stored invoice; 404 for drafts, proformas and other links',
    permission: 'public',
    errors: [404],
    handler: async (ctx) => {
      const language = ctx.headers['accept-language'];
      const link = await invoiceLink(ctx.params.token!);
      if (!link) return notAvailable(language);
      const [invoice, tenant] = await Promise.all([hostedInvoices().get(link.tenantId, link.subjectId), tenants().getTenant(link.tenantId)]);
      const xml = invoice && tenant && invoice.type !== 'proforma' ? ublOf(invoice, tenant) : null;
      if (!xml || !invoice) return notAvailable(language);
      const name = (invoice.number ?? invoice.id).replace(/[^A-Za-z0-9._-]/g, '_');
      return new RawResponse({
        statusCode: 200,
        headers: {
          'content-type': 'application/xml; charset=utf-8',
          'content-disposition': `attachment; filename="${name}.xml"`,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
          'x-content-type-options': 'nosniff',
        },
        body: xml,
      });
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
