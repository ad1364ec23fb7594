/**
 * Every Lambda function of the service and the HTTP routes it serves, declared once.
 * The CDK stacks deploy from this list; the local gateway and local bus load the same handler
 * files from it. Pure data: handler files are named by path, never imported here.
 */
import type { Access } from './access';

export type { Access };

export interface FunctionSpec {
  entry: string;
  description: string;
  memoryMb?: number;
  timeoutSeconds?: number;
  /** What the function may touch (kinds in infra/access.ts): IAM grants follow from this list, nothing else. */
  access: Access[];
  /** HTTP routes (`METHOD /path`), for functions behind the HTTP API. */
  routes?: string[];
  /** Chromium: bundled with @sparticuz/chromium and given more memory. */
  pdf?: boolean;
  /** Fed by the table's stream. */
  stream?: boolean;
  /** Run on a schedule (EventBridge Scheduler expression). */
  schedule?: string;
  /**
   * Files copied beside the bundle (paths from the repository root -> inside the bundle), read at run time and
   * never bundled into the code: the API reference viewer, which would not fit the 400 KB bundle budget.
   */
  files?: Record<string, string>;
}

/** The API reference viewer (Swagger UI, no CDN; served by the health function at /docs/swagger-ui.js and .css) and the OpenAPI document. */
export const DOCS_VIEWER_FILES = {
  'node_modules/swagger-ui-dist/swagger-ui-bundle.js': 'docs-viewer/swagger-ui-bundle.js',
  'node_modules/swagger-ui-dist/swagger-ui.css': 'docs-viewer/swagger-ui.css',
  'node_modules/swagger-ui-dist/LICENSE': 'docs-viewer/LICENSE',
  // the generated document itself: a file read at run time, so the health bundle does not grow with the API
  'docs/openapi.json': 'docs-viewer/openapi.json',
};

export const functions = {
  health: {
    entry: 'functions/handlers/http/health.ts',
    description: 'Health check, the API reference (OpenAPI document, /docs), and problem+json 404/405 for every unknown route',
    access: [],
    // ANY /{proxy+}: API Gateway picks it only when no other route matches (an unknown path, or a known path with
    // another method), so unknown routes answer problem+json too, never API Gateway's own {"message":"Not Found"}
    routes: ['GET /health', 'GET /openapi.json', 'GET /docs', 'GET /docs/swagger-ui.js', 'GET /docs/swagger-ui.css', 'ANY /{proxy+}'],
    files: DOCS_VIEWER_FILES,
  },
  apiKeys: {
    entry: 'functions/handlers/http/api-keys.ts',
    description: 'API keys of a tenant (admin only)',
    // a new key's answer is kept sealed for Idempotency-Key replays
    access: ['table', 'secretsSeal:idempotentAnswers', 'secretsOpen:idempotentAnswers'],
    routes: ['GET /v1/api-keys', 'POST /v1/api-keys', 'DELETE /v1/api-keys/{id}'],
  },
  companies: {
    entry: 'functions/handlers/http/companies.ts',
    description: 'Companies (client legal entities)',
    access: ['table'],
    routes: ['POST /v1/companies', 'GET /v1/companies', 'GET /v1/companies/{id}', 'PATCH /v1/companies/{id}', 'DELETE /v1/companies/{id}'],
  },
  contacts: {
    entry: 'functions/handlers/http/contacts.ts',
    description: 'Contacts (people, optionally linked to a company)',
    access: ['table'],
    routes: ['POST /v1/contacts', 'GET /v1/contacts', 'GET /v1/contacts/{id}', 'PATCH /v1/contacts/{id}', 'DELETE /v1/contacts/{id}'],
  },
  products: {
    entry: 'functions/handlers/http/products.ts',
    description: 'Product catalogue',
    access: ['table'],
    routes: ['POST /v1/products', 'GET /v1/products', 'GET /v1/products/{id}', 'PATCH /v1/products/{id}', 'DELETE /v1/products/{id}'],
  },
  documents: {
    entry: 'functions/handlers/http/documents.ts',
    description: 'Invoice documents (PDF renders) and sending by e-mail or SMS',
    access: ['table', 'bucketRead:documents', 'ses', 'sns'],
    routes: [
      'POST /v1/invoices/{id}/documents',
      'GET /v1/invoices/{id}/documents',
      'GET /v1/documents/{id}',
      'DELETE /v1/documents/{id}/public-link',
      'DELETE /v1/invoices/{id}/public-links',
      'POST /v1/invoices/{id}/send',
    ],
  },
  automation: {
    entry: 'functions/handlers/http/automation.ts',
    description: 'Automation rules per stage, the runs and messages they made (failed ones visible, retried in one call)',
    access: ['table'],
    routes: [
      'GET /v1/automation/rules',
      'POST /v1/automation/rules',
      'GET /v1/automation/rules/{id}',
      'PUT /v1/automation/rules/{id}',
      'DELETE /v1/automation/rules/{id}',
      'GET /v1/automation/runs',
      'GET /v1/automation/runs/{id}',
      'POST /v1/automation/runs/{id}/retry',
      'GET /v1/messages',
      'GET /v1/messages/{id}',
      'POST /v1/messages/{id}/retry',
    ],
  },
  publicLinks: {
    entry: 'functions/handlers/public/links.ts',
    description:
      'Public links (no auth: the token is the credential): document redirect, the hosted invoice page (PDF, UBL, EPC QR), e-mail open pixel, quote page and its acceptance (signature images written to the bucket)',
    access: ['tableWrite', 'bucketRead:documents', 'bucketWrite:signatures'],
    routes: ['GET /p/{token}', 'GET /p/preview/{id}', 'GET /p/{token}/open.gif', 'POST /p/{token}/accept'],
  },
  hostedInvoice: {
    entry: 'functions/handlers/public/hosted-invoice.ts',
    description: "The hosted invoice page's downloads (no auth: the link's token is the credential): the PDF (presigned redirect) and the UBL e-invoice",
    access: ['tableRead', 'bucketRead:documents'],
    routes: ['GET /p/{token}/pdf', 'GET /p/{token}/xml'],
  },
  cardPayments: {
    entry: 'functions/handlers/public/card-payments.ts',
    description:
      "Card payment (no auth: the link's token, or Stripe's signature, is the credential): the hosted page's Pay button (Stripe Checkout) and Stripe's webhook (payments recorded once in the ledger)",
    access: ['tableWrite', 'secretsOpen:payments'],
    routes: ['POST /p/{token}/pay', 'POST /webhooks/stripe'],
  },
  runAutomation: {
    entry: 'functions/handlers/events/run-automation.ts',
    description: 'Runs stage automation rules and reacts to client views (EventBridge)',
    access: ['table', 'bucketRead:documents', 'ses', 'sns'],
    // a replay may wait out a message's lease (30 s) and then send with backoff (3 attempts of at most 8 s)
    timeoutSeconds: 90,
  },
  renderDocument: {
    entry: 'functions/handlers/events/render-document.ts',
    description: 'Renders pending documents to PDF with Chromium into S3 (EventBridge)',
    access: ['tableWrite', 'bucketRead:templates', 'bucketRead:assets', 'bucketWrite:documents'],
    pdf: true,
    memoryMb: 2048,
    timeoutSeconds: 90,
  },
  templates: {
    entry: 'functions/handlers/http/templates.ts',
    description: 'Document templates: Handlebars HTML validated on upload, sources in S3 (admin writes)',
    access: ['table', 'bucketRead:templates', 'bucketWrite:templates'],
    routes: ['GET /v1/templates', 'POST /v1/templates', 'GET /v1/templates/{id}', 'PUT /v1/templates/{id}', 'DELETE /v1/templates/{id}'],
  },
  templatePreview: {
    entry: 'functions/handlers/http/template-preview.ts',
    description: 'Template preview: renders sample data to PDF with Chromium (its own function, so no other API function carries Chromium)',
    access: ['table', 'bucketRead:templates', 'bucketRead:assets'],
    routes: ['POST /v1/templates/{id}/preview'],
    pdf: true,
    memoryMb: 2048,
    timeoutSeconds: 29,
  },
  settings: {
    entry: 'functions/handlers/http/settings.ts',
    description: 'Tenant settings: seller details, locale, sender, colours, logo/stamp/signature images (admin writes)',
    // GET and PUT only (no POST, so no Idempotency-Key records to delete), and nothing is deleted: never DeleteItem.
    access: ['tableWrite', 'bucketRead:assets', 'bucketWrite:assets', 'secretsSeal:payments'],
    routes: ['GET /v1/settings', 'PUT /v1/settings'],
  },
  leads: {
    entry: 'functions/handlers/http/leads.ts',
    description: 'Leads: lead pipeline stages and conversion into deal + contact (+ company)',
    access: ['table'],
    routes: [
      'POST /v1/leads',
      'GET /v1/leads',
      'GET /v1/leads/{id}',
      'PATCH /v1/leads/{id}',
      'DELETE /v1/leads/{id}',
      'POST /v1/leads/{id}/stage',
      'POST /v1/leads/{id}/convert',
      'GET /v1/pipelines/lead',
      'PUT /v1/pipelines/lead',
    ],
  },
  deals: {
    entry: 'functions/handlers/http/deals.ts',
    description: 'Deals: client, priced lines, deal pipeline stages',
    access: ['table'],
    routes: [
      'POST /v1/deals',
      'GET /v1/deals',
      'GET /v1/deals/{id}',
      'PATCH /v1/deals/{id}',
      'DELETE /v1/deals/{id}',
      'POST /v1/deals/{id}/stage',
      'GET /v1/deals/{id}/timeline',
      'GET /v1/pipelines/deal',
      'PUT /v1/pipelines/deal',
    ],
  },
  quotes: {
    entry: 'functions/handlers/http/quotes.ts',
    description:
      'Quotes: drafts from a deal or a client, numbered and sent (PDF e-mailed with the link to the quote page), their documents, timeline and invoice',
    access: ['table', 'bucketRead:documents', 'ses'],
    routes: [
      'POST /v1/quotes',
      'GET /v1/quotes',
      'GET /v1/quotes/{id}',
      'PATCH /v1/quotes/{id}',
      'DELETE /v1/quotes/{id}',
      'POST /v1/quotes/{id}/send',
      'POST /v1/quotes/{id}/decline',
      'DELETE /v1/quotes/{id}/public-link',
      'GET /v1/quotes/{id}/documents',
      'GET /v1/quotes/{id}/timeline',
      'POST /v1/quotes/{id}/invoice',
    ],
  },
  invoices: {
    entry: 'functions/handlers/http/invoices.ts',
    description: 'Invoices: create, edit, stage moves (issuing with gapless numbers), lists and search, timeline',
    access: ['table'],
    routes: [
      'POST /v1/invoices',
      'POST /v1/invoices/recapitulative',
      'GET /v1/invoices',
      'GET /v1/invoices/{id}',
      'PATCH /v1/invoices/{id}',
      'POST /v1/invoices/{id}/stage',
      'GET /v1/invoices/{id}/timeline',
      'DELETE /v1/invoices/{id}',
      'POST /v1/invoices/{id}/credit-notes',
      'POST /v1/invoices/{id}/cancel',
      'POST /v1/invoices/{id}/allocations',
      'POST /v1/invoices/{id}/convert',
      'POST /v1/invoices/{id}/replace',
    ],
  },
  register: {
    entry: 'functions/handlers/http/register.ts',
    description: 'E-invoices (EN 16931 UBL / CII of an issued invoice) and the register of issued invoices (VERI*FACTU chain: records, list, verification)',
    access: ['tableRead'],
    routes: ['GET /v1/invoices/{id}/einvoice', 'GET /v1/invoices/{id}/register', 'GET /v1/register', 'GET /v1/register/verify'],
  },
  payments: {
    entry: 'functions/handlers/http/payments.ts',
    description: 'Payments: record (for a client or an invoice), allocate, reverse one allocation, refund; lists; client balances; bank statement import (CSV)',
    // tableBatchWrite: a statement import writes the rows that made no payment 25 at a time (ledger-repository.ts)
    access: ['table', 'tableBatchWrite'],
    timeoutSeconds: 29,
    memoryMb: 1024,
    routes: [
      'POST /v1/payments',
      'GET /v1/payments',
      'GET /v1/payments/{id}',
      'POST /v1/payments/{id}/allocations',
      'DELETE /v1/payments/{id}/allocations/{allocationId}',
      'POST /v1/payments/{id}/refunds',
      'POST /v1/payments/imports',
      'POST /v1/invoices/{id}/payments',
      'GET /v1/invoices/{id}/payments',
      'GET /v1/companies/{id}/balance',
      'GET /v1/contacts/{id}/balance',
    ],
  },
  recurringInvoices: {
    entry: 'functions/handlers/http/recurring-invoices.ts',
    description: 'Recurring invoices: schedules (every N weeks, months, years), pause, resume, preview of the next dates',
    access: ['table'],
    routes: [
      'POST /v1/recurring-invoices',
      'GET /v1/recurring-invoices',
      'GET /v1/recurring-invoices/{id}',
      'PATCH /v1/recurring-invoices/{id}',
      'DELETE /v1/recurring-invoices/{id}',
      'POST /v1/recurring-invoices/{id}/pause',
      'POST /v1/recurring-invoices/{id}/resume',
      'GET /v1/recurring-invoices/{id}/preview',
    ],
  },
  dunning: {
    entry: 'functions/handlers/http/dunning.ts',
    description: 'The payment reminder policy (dunning): steps relative to the due date, channels, texts, late fee',
    access: ['tableWrite'],
    routes: ['GET /v1/dunning', 'PUT /v1/dunning'],
  },
  reports: {
    entry: 'functions/handlers/http/reports.ts',
    description:
      'Reports: sales ledger (JSON, CSV, XLSX), VAT summary (accrual, cash), aged receivables as of any day, status summary and DSO, forecast; aging and forecast as one-page PDFs (Chromium)',
    access: ['tableRead'],
    pdf: true,
    timeoutSeconds: 29,
    memoryMb: 2048,
    routes: ['GET /v1/reports/sales-ledger', 'GET /v1/reports/vat', 'GET /v1/reports/aging', 'GET /v1/reports/summary', 'GET /v1/reports/forecast'],
  },
  exports: {
    entry: 'functions/handlers/http/exports.ts',
    description: 'Exports for accounting: invoices (CSV, XLSX), journal entries (CSV, XLSX, JSON); export jobs of large periods (files in S3)',
    // table: a job is created with its event in one transaction (and Idempotency-Key records); bucketRead: the presigned URL of a file
    access: ['table', 'bucketRead:exports'],
    timeoutSeconds: 29,
    memoryMb: 1024,
    routes: ['GET /v1/exports/invoices', 'GET /v1/exports/journal', 'POST /v1/exports', 'GET /v1/exports/{id}'],
  },
  runExport: {
    entry: 'functions/handlers/events/run-export.ts',
    description: 'Builds requested exports (reports of large periods) into S3 (EventBridge)',
    access: ['tableWrite', 'bucketWrite:exports'],
    memoryMb: 1024,
    timeoutSeconds: 300,
  },
  webhooks: {
    entry: 'functions/handlers/http/webhooks.ts',
    description: 'Outgoing webhook subscriptions (signing secrets sealed, shown once), their delivery log and replays',
    // seals new signing secrets; opens one to answer a retried subscribe (Idempotency-Key), and seals/opens the
    // stored answers of rotate-secret
    access: ['table', 'secretsSeal:webhooks', 'secretsOpen:webhooks', 'secretsSeal:idempotentAnswers', 'secretsOpen:idempotentAnswers'],
    routes: [
      'POST /v1/webhooks',
      'GET /v1/webhooks',
      'GET /v1/webhooks/{id}',
      'PATCH /v1/webhooks/{id}',
      'DELETE /v1/webhooks/{id}',
      'POST /v1/webhooks/{id}/rotate-secret',
      'GET /v1/webhooks/{id}/deliveries',
      'POST /v1/webhooks/{id}/deliveries/{deliveryId}/replay',
    ],
  },
  deliverWebhooks: {
    entry: 'functions/handlers/events/deliver-webhooks.ts',
    description: 'Domain events -> webhook deliveries (one per subscription wanting the event) and their first signed attempt; replays (EventBridge)',
    access: ['tableWrite', 'secretsOpen:webhooks'],
    timeoutSeconds: 30,
  },
  sweepWebhooks: {
    entry: 'functions/handlers/events/sweep-webhooks.ts',
    description: 'Retries due webhook deliveries (Standard Webhooks schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), every minute',
    access: ['tableWrite', 'secretsOpen:webhooks'],
    schedule: 'rate(1 minute)',
    timeoutSeconds: 60,
  },
  pipelines: {
    entry: 'functions/handlers/http/pipelines.ts',
    description: "The tenant's invoice pipeline (stages, required fields) and number formats",
    access: ['tableWrite'],
    routes: ['GET /v1/pipelines/invoice', 'PUT /v1/pipelines/invoice'],
  },
  scheduledSends: {
    entry: 'functions/handlers/http/scheduled-sends.ts',
    description: "An invoice's scheduled sends: list, cancel",
    access: ['table'],
    routes: ['GET /v1/invoices/{id}/scheduled-sends', 'DELETE /v1/invoices/{id}/scheduled-sends/{sendId}'],
  },
  sendSweep: {
    entry: 'functions/handlers/schedules/scheduled-sends.ts',
    description: 'Fires the scheduled sends that are due (each once) and wakes automation runs sleeping on a delay, every minute',
    access: ['table', 'bucketRead:documents', 'ses', 'sns'],
    timeoutSeconds: 300,
    schedule: 'rate(1 minute)',
  },
  dailyJobs: {
    entry: 'functions/handlers/schedules/daily-jobs.ts',
    description: "The daily jobs as of each tenant's date: recurring invoices, overdue (invoice.overdue), payment reminders; idempotent, run hourly",
    access: ['table', 'bucketRead:documents', 'ses', 'sns'],
    timeoutSeconds: 900,
    memoryMb: 1024,
    schedule: 'rate(1 hour)',
  },
  publishEvents: {
    entry: 'functions/handlers/events/publish-events.ts',
    description: 'Table stream -> EventBridge: publishes outbox records as domain events',
    access: ['bus'],
    stream: true,
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

/** `METHOD /path` split, with the path's parameter names. */
export function parseRoute(route: string): { method: string; path: string } {
  const [method, path] = route.split(' ');
  return { method, path };
}
