import { NotFound } from '../../domain/kernel';
import { ExportJobs, Journal, Reports } from '../../domain/reporting';
import { httpApi } from '../../shared/http/api';
import { callerActor, route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { exportPorts, reportingPorts } from '../../shared/wiring/reporting';
import { storage } from '../../shared/wiring/storage';
import { tableResponse } from './report-files';
import { ExportCreate, ExportJobView, InvoiceExportQuery, JournalQuery, JournalView } from './schemas/reports';

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
  'POST /v1/exports': route({
    summary:
      'Export a large period in the background: 202 with the job ({ id, status: pending }); GET /v1/exports/{id} answers its status and, when done, a presigned URL of the file. The parameters are checked now (a bad period is refused before any job exists)',
    permission: 'reports:write',
    body: ExportCreate,
    response: ExportJobView,
    status: 202,
    handler: async ({ body, caller }) =>
      ExportJobs.view(await ExportJobs.request(exportPorts(), { tenantId: caller.tenantId, actor: callerActor(caller), ...body }), null),
  }),
  'GET /v1/exports/{id}': route({
    summary: 'An export job: pending, done (with a presigned URL of the file, valid for minutes) or failed (with the reason)',
    permission: 'reports:write',
    response: ExportJobView,
    handler: async ({ params, caller }) => {
      const job = await exportPorts().jobs.get(caller.tenantId, params.id);
      if (!job) throw new NotFound('export');
      const filename = `${job.report}-${job.id}.${job.format}`;
      const url = job.status === 'done' ? await storage().presignGet(job.key, { downloadName: filename }) : null;
      return ExportJobs.view(job, url);
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
