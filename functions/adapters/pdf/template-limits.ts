/**
 * The bounds of a template render, and the model a tenant's template is checked against on upload.
 *
 * Handlebars is a loop language: `{{#each lines}}{{#each ../lines}}...` nested k times over a 500-line
 * invoice repeats 500^k times. So a render is bounded three ways, all checked while it runs (in the worker,
 * template-worker.ts, which the caller also stops from outside at the deadline):
 *   - time: CPU time of the rendering thread, checked at every repetition of a block (the worker's caller also
 *     stops it from outside when it outlives several times that in wall time);
 *   - repetitions: every `{{#each}}` iteration (and array section) counts, at every depth;
 *   - output: the HTML of the outermost repetitions is counted as it is built, and the whole at the end.
 * And one rule at compile time: no inline partials or decorators, so a template cannot recurse.
 */
import { PrintModel, type DocumentKind, type DocumentModel } from '../../domain/documents';
import { TemplateLimitError } from './template-errors';

export interface TemplateLimits {
  /** CPU time of one render, in ms. */
  timeMs: number;
  /** `{{#each}}` iterations over the whole render, at every depth. */
  maxIterations: number;
  /** Characters of HTML a render may produce. */
  maxOutputChars: number;
}

/**
 * A 500-line invoice with every text at its longest renders with the standard template in tens of ms,
 * about 1.5 M characters and 1,000 iterations: the limits leave a wide margin for legitimate templates.
 */
export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = {
  timeMs: 2_000,
  maxIterations: 100_000,
  maxOutputChars: 8 * 1024 * 1024,
};

/** The largest document the API lets a tenant make: what a template must render within its limits on upload. */
export const WORST_CASE = { lines: 500, description: 1_000, notes: 5_000, paymentTerms: 500, name: 200, taxRates: 8 } as const;

/** Words (so that the text wraps like real text) up to `length` characters, different per seed. */
function longText(length: number, seed: number): string {
  const words = ['consulting', 'Ünïcødé', 'maintenance', 'ООО «Ромашка»', 'Ștefănescu', 'de', 'y', 'support', 'migración'];
  let text = '';
  for (let i = seed; text.length < length; i++) text += `${words[i % words.length]} `;
  return text.slice(0, length);
}

/** The worst case of a document of this kind: 500 lines and every text as long as the API allows. */
export function worstCaseDocumentModel(kind: DocumentKind = 'invoice'): DocumentModel {
  const lines = Array.from({ length: WORST_CASE.lines }, (_, i) => ({
    description: longText(WORST_CASE.description, i),
    quantity: '999999.999999',
    unit: longText(20, i),
    unitPrice: '9999999999.999999',
    discountPercent: '99.99',
    taxRate: String(i % WORST_CASE.taxRates),
    netAmount: '99999999999999.99',
  }));
  const address = {
    line1: longText(WORST_CASE.name, 1),
    line2: longText(WORST_CASE.name, 2),
    city: longText(100, 3),
    postalCode: '99999-9999',
    region: longText(100, 4),
    country: 'ES',
  };
  return PrintModel.sampleDocumentModel({
    kind,
    ...(kind === 'quote' ? { validUntil: '2026-12-31' } : {}),
    seller: { name: longText(WORST_CASE.name, 5), legalName: longText(WORST_CASE.name, 6), address },
    client: { name: longText(WORST_CASE.name, 7), legalName: longText(WORST_CASE.name, 8), address },
    lines,
    totals: {
      net: '99999999999999.99',
      tax: '99999999999999.99',
      withholding: '99999999999999.99',
      total: '99999999999999.99',
      taxBreakdown: Array.from({ length: WORST_CASE.taxRates }, (_, rate) => ({ rate: String(rate), base: '99999999999999.99', amount: '99999999999999.99' })),
    },
    notes: longText(WORST_CASE.notes, 9),
    paymentTerms: longText(WORST_CASE.paymentTerms, 10),
  });
}

/** Where a block starts in the template (Handlebars passes it to helpers as `options.loc`). */
export interface BlockLocation {
  start?: { line: number; column: number };
}

/**
 * Milliseconds of CPU this thread has used: what a render's time limit counts, so that a busy machine (other
 * threads, other processes) does not make a legitimate template fail. Wall time where Node cannot tell.
 */
export function threadCpuMs(): number {
  if (typeof process.threadCpuUsage !== 'function') return Date.now();
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

/** The running account of one render against its limits. Rendering is synchronous: one budget at a time. */
export class RenderBudget {
  private iterations = 0;
  private output = 0;
  private depth = 0;
  private readonly deadline: number;

  constructor(
    readonly limits: TemplateLimits,
    private readonly now: () => number = threadCpuMs,
  ) {
    this.deadline = now() + limits.timeMs;
  }

  /** Runs one repetition of a block (an `{{#each}}` body) within the budget. */
  iteration(loc: BlockLocation | undefined, body: () => string): string {
    this.iterations++;
    if (this.iterations > this.limits.maxIterations) {
      throw new TemplateLimitError(
        'iterations',
        `the template repeats blocks more than ${this.limits.maxIterations} times (nested {{#each}} over the lines?)`,
        where(loc),
      );
    }
    this.checkTime(loc);
    this.depth++;
    let html: string;
    try {
      html = body();
    } finally {
      this.depth--;
    }
    if (this.depth === 0) {
      this.output += html.length;
      this.checkOutput(this.output, loc);
    }
    return html;
  }

  checkTime(loc?: BlockLocation): void {
    if (this.now() > this.deadline) {
      throw new TemplateLimitError('time', `the template takes longer than ${this.limits.timeMs} ms to render`, where(loc));
    }
  }

  checkOutput(chars: number, loc?: BlockLocation): void {
    if (chars > this.limits.maxOutputChars) {
      throw new TemplateLimitError(
        'output',
        `the template produces more than ${Math.round(this.limits.maxOutputChars / 1024 / 1024)} M characters of HTML`,
        where(loc),
      );
    }
  }
}

function where(loc: BlockLocation | undefined): { line?: number; column?: number } {
  return loc?.start ? { line: loc.start.line, column: loc.start.column + 1 } : {};
}
