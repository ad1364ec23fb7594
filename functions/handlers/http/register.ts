/**
 * E-invoices (EN 16931 XML of an issued invoice) and the register of issued invoices (VERI*FACTU chain):
 * the invoice's record and QR URL, the list of a chain, and its verification.
 */
import { EInvoice } from '../../domain/einvoicing';
import { Invoice } from '../../domain/invoicing';
import { NotFound } from '../../domain/kernel';
import { Register } from '../../domain/register';
import { httpApi } from '../../shared/http/api';
import { RawResponse, route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { invoicePorts } from '../../shared/wiring/invoicing';
import { registerSettings, registerStore } from '../../shared/wiring/register';
import { tenants } from '../../shared/wiring/tenancy';
import { ChainVerificationView, EInvoiceQuery, RegisterListQuery, RegisterPage, RegisterRecordView, RegisterVerifyQuery } from './schemas/register';

/** The chain asked for: the query's issuer, else the settings' (null when the tenant never set the register). */
async function issuerOf(tenantId: string, given?: string): Promise<string | null> {
  if (given) return given.toUpperCase().replace(/[\s.\-/]/g, '');
  const settings = await registerSettings(tenantId);
  return settings?.issuerTaxId || null;
}

export const routes = {
  'GET /v1/invoices/{id}/einvoice': route({
    summary:
      'The EN 16931 e-invoice of an issued invoice or credit note: UBL 2.1 (Invoice / CreditNote, syntax=ubl, default) or UN/CEFACT CII D16B (syntax=cii); 409 for drafts and proformas',
    permission: 'invoices:read',
    query: EInvoiceQuery,
    errors: [409, 422],
    handler: async ({ params, query, caller }) => {
      const invoice = await Invoice.get(invoicePorts(), { tenantId: caller.tenantId, id: params.id });
      const input = EInvoice.fromTenantInvoice(invoice, await tenants().getTenant(caller.tenantId));
      const xml = EInvoice.build(input, query.syntax);
      const name = `${invoice.number}-${query.syntax}.xml`.replace(/[^\w.-]/g, '_');
      return new RawResponse({
        statusCode: 200,
        headers: { 'content-type': 'application/xml; charset=utf-8', 'content-disposition': `inline; filename="${name}"` },
        body: xml,
      });
    },
  }),
  'GET /v1/invoices/{id}/register': route({
    summary: "The invoice's register record (its alta): { record, huella, previousHuella, qrUrl }; 404 when it has none",
    permission: 'register:read',
    response: RegisterRecordView,
    handler: async ({ params, caller }) => {
      await Invoice.get(invoicePorts(), { tenantId: caller.tenantId, id: params.id });
      const entries = await registerStore().ofInvoice(caller.tenantId, params.id);
      const alta = entries.find((e) => e.kind === 'alta') ?? entries[0];
      if (!alta) throw new NotFound('register record');
      return Register.view(alta);
    },
  }),
  'GET /v1/register': route({
    summary: "The register's records in chain order (altas and anulaciones), optionally generated between from and to",
    permission: 'register:read',
    query: RegisterListQuery,
    response: RegisterPage,
    handler: async ({ query, caller }) => {
      const issuer = await issuerOf(caller.tenantId, query.issuerTaxId);
      if (!issuer) return { data: [], nextCursor: null };
      const result = await registerStore().list(
        caller.tenantId,
        issuer,
        { from: query.from, to: query.to },
        { limit: query.limit, cursor: query.cursor ?? null },
      );
      return { data: result.data.map(Register.view), nextCursor: result.nextCursor };
    },
  }),
  'GET /v1/register/verify': route({
    summary: "Verify the whole chain: positions, links, each huella recomputed from the record's fields, timestamps; the first broken link if any",
    permission: 'register:read',
    query: RegisterVerifyQuery,
    response: ChainVerificationView,
    handler: async ({ query, caller }) => {
      const issuer = await issuerOf(caller.tenantId, query.issuerTaxId);
      if (!issuer) return { ok: true, records: 0 };
      return Register.verify(await registerStore().chain(caller.tenantId, issuer));
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
