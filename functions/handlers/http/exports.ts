import { Journal, Reports } from '../../domain/reporting';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { reportingPorts } from '../../shared/wiring/reporting';
import { tableResponse } from './report-files';
import { InvoiceExportQuery, JournalQuery, JournalView } from './schemas/reports';

/** Exports for the accounting program: accountants and admins (reports:write). */
export const routes = {
  'GET /v1/exports/invoices': route({
    summary:
      'Invoices of a period for a spreadsheet or an accounting program: CSV (RFC 4180; separator=; and bom=true on request) or XLSX, one row per invoice and VAT rate, plain decimals with a dot, ISO dates, no currency symbols',
    permission: 'reports:write',
    query: InvoiceExportQuery,
    handler: async ({ query, caller }) => {
      const table = await Reports.invoiceExport(reportingPorts(), { tenantId: caller.tenantId, from: query.from, to: query.to });
      return tableResponse(table, `invoices-${query.from}-${query.to}`, query);
    },
  }),
  'GET /v1/exports/journal': route({
    summary:
      'Journal entries of a period (Spanish chart of accounts; the accounts of settings.accounting.accounts, default 430 client / 700 sales / 477 VAT / 4730 withholding / 572 bank): invoices and credit notes on their issue date, payments and refunds on theirs; every entry balances. CSV (one row per line), XLSX or JSON',
    permission: 'reports:write',
    query: JournalQuery,
    response: JournalView,
    handler: async ({ query, caller }) => {
      const journal = await Reports.journal(reportingPorts(), { tenantId: caller.tenantId, from: query.from, to: query.to });
      if (query.format === 'json') return journal;
      return tableResponse(Journal.journalTable(journal), `journal-${query.from}-${query.to}`, query);
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
