/**
 * Export jobs: a report of a large period built in the background and written to storage, fetched through a
 * presigned URL. `request` checks the report, its parameters and format at once (the same checks as the
 * synchronous routes: a bad period is refused before any job exists) and creates the job pending with its
 * `export.requested` event in ONE write; `run` builds it at least once and completes it exactly once: a job
 * no longer pending is left alone, the file's key is the job's own (a retry overwrites the same object), and
 * the completion is conditioned on the job still being pending.
 */
import { InvalidInput, newId, type Actor } from '../kernel';
import { bucketLimits } from './aging';
import { monthCount } from './forecast';
import { journalTable } from './journal';
import type { ReportingPorts } from './model';
import { checkDay, period } from './period';
import * as Reports from './reports';
import { type Table, salesLedgerTable } from './tables';
import { agingTable } from './aging';

export const EXPORT_REPORTS = ['sales-ledger', 'invoices', 'journal', 'vat', 'aging', 'summary', 'forecast'] as const;
export type ExportReport = (typeof EXPORT_REPORTS)[number];
export const EXPORT_FORMATS = ['csv', 'xlsx', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Reports with a table form (csv, xlsx); the others are JSON only. */
const TABULAR: ReadonlySet<ExportReport> = new Set(['sales-ledger', 'invoices', 'journal', 'aging']);

export interface ExportJob {
  tenantId: string;
  id: string;
  report: ExportReport;
  params: Record<string, string>;
  format: ExportFormat;
  status: 'pending' | 'done' | 'failed';
  key: string;
  error?: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ExportJobStore {
  /** Creates the job and its `export.requested` event in one write. */
  create(job: ExportJob): Promise<void>;
  get(tenantId: string, id: string): Promise<ExportJob | null>;
  /** pending -> done | failed, once (false when the job was not pending any more). */
  complete(job: ExportJob, outcome: { status: 'done' } | { status: 'failed'; error: string }): Promise<boolean>;
}

export interface ExportPorts extends ReportingPorts {
  jobs: ExportJobStore;
}

const EXTENSION: Record<ExportFormat, string> = { csv: 'csv', xlsx: 'xlsx', json: 'json' };

/** Where a job's file lives (under the tenant, in the exports area). */
export function exportKey(tenantId: string, id: string, format: ExportFormat): string {
  return `tenant/${tenantId}/exports/${id}.${EXTENSION[format]}`;
}

/** The parameters a report takes, checked as its route checks them (problems name `params.<field>`). */
function checkParams(report: ExportReport, params: Record<string, string>): void {
  const named = (error: unknown) => {
    if (error instanceof InvalidInput)
      throw new InvalidInput(
        error.message,
        error.errors.map((e) => ({ ...e, field: `params.${e.field}` })),
      );
    throw error;
  };
  try {
    if (report === 'aging') {
      checkDay(params.asOf, 'asOf', '2000-01-01');
      bucketLimits(params.buckets);
    } else if (report === 'forecast') monthCount(params.months);
    else period(params);
    if (report === 'vat' && params.basis !== undefined && params.basis !== 'accrual' && params.basis !== 'cash') {
      throw new InvalidInput('unknown basis', [{ field: 'basis', message: 'must be accrual or cash' }]);
    }
  } catch (error) {
    named(error);
  }
}

export async function request(
  ports: Pick<ExportPorts, 'jobs' | 'now'>,
  command: { tenantId: string; actor: Actor; report: string; params?: Record<string, string>; format?: string },
): Promise<ExportJob> {
  const report = command.report as ExportReport;
  if (!EXPORT_REPORTS.includes(report)) throw new InvalidInput('unknown report', [{ field: 'report', message: `must be one of ${EXPORT_REPORTS.join(', ')}` }]);
  const format = (command.format ?? (TABULAR.has(report) ? 'csv' : 'json')) as ExportFormat;
  if (!EXPORT_FORMATS.includes(format) || (format !== 'json' && !TABULAR.has(report))) {
    throw new InvalidInput('this report is not available in that format', [
      { field: 'format', message: TABULAR.has(report) ? 'must be csv, xlsx or json' : 'this report exports as json only' },
    ]);
  }
  const params = command.params ?? {};
  checkParams(report, params);
  const now = (ports.now ?? (() => new Date()))().toISOString();
  const id = newId('exportJob');
  const job: ExportJob = {
    tenantId: command.tenantId,
    id,
    report,
    params,
    format,
    status: 'pending',
    key: exportKey(command.tenantId, id, format),
    createdBy: command.actor.id,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await ports.jobs.create(job);
  return job;
}

/** The report of a job: a table (csv, xlsx) or the JSON of its route. */
export async function build(
  ports: ReportingPorts,
  job: Pick<ExportJob, 'tenantId' | 'report' | 'params' | 'format'>,
): Promise<{ table?: Table; json?: unknown }> {
  const q = { tenantId: job.tenantId, ...job.params };
  const tabular = job.format !== 'json';
  switch (job.report) {
    case 'sales-ledger': {
      const ledger = await Reports.salesLedger(ports, q);
      return tabular ? { table: salesLedgerTable(ledger) } : { json: ledger };
    }
    case 'invoices': {
      const table = await Reports.invoiceExport(ports, q);
      return tabular ? { table } : { json: { header: table.header, rows: table.rows } };
    }
    case 'journal': {
      const journal = await Reports.journal(ports, q);
      return tabular ? { table: journalTable(journal) } : { json: journal };
    }
    case 'aging': {
      const aging = await Reports.aging(ports, q);
      return tabular ? { table: agingTable(aging) } : { json: aging };
    }
    case 'vat':
      return { json: await Reports.vat(ports, { ...q, basis: job.params.basis === 'cash' ? 'cash' : 'accrual' }) };
    case 'summary':
      return { json: await Reports.summary(ports, q) };
    case 'forecast':
      return { json: await Reports.forecast(ports, q) };
  }
}

/** What a client sees of a job. */
export function view(job: ExportJob, url: string | null) {
  return {
    id: job.id,
    report: job.report,
    params: job.params,
    format: job.format,
    status: job.status,
    url,
    error: job.error ?? null,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
