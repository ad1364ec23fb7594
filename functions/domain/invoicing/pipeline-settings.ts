/**
 * The tenant's invoice pipeline (stages, required fields) and its number formats per series.
 */
import {
  defaultNumberFormat,
  RuleViolation,
  staleVersion,
  validateNumberFormat,
  validatePipeline,
  DEFAULT_INVOICE_PIPELINE,
  type Command,
  type FieldError,
  type Pipeline,
  type PipelineSettings,
  type Stage,
} from '../kernel';
import { INVOICE_TYPES, nowOf, type Invoice, type InvoicePorts, type InvoiceSeriesFormats } from './model';

export interface EffectiveInvoicePipeline {
  pipeline: Pipeline;
  numbering: InvoiceSeriesFormats;
  version: number;
  updatedAt: string | null;
}

export function defaultNumbering(): InvoiceSeriesFormats {
  return {
    invoice: defaultNumberFormat('invoice'),
    credit_note: defaultNumberFormat('credit_note'),
    proforma: defaultNumberFormat('proforma'),
    simplified: defaultNumberFormat('simplified'),
  };
}

/** The tenant's pipeline and formats, defaults filled in. */
export function effective(stored: PipelineSettings | null): EffectiveInvoicePipeline {
  if (!stored) {
    return {
      pipeline: structuredClone(DEFAULT_INVOICE_PIPELINE) as Pipeline,
      numbering: defaultNumbering(),
      version: 0,
      updatedAt: null,
    };
  }
  return {
    pipeline: { stages: stored.stages },
    numbering: { ...defaultNumbering(), ...(stored.numbering ?? {}) },
    version: stored.version,
    updatedAt: stored.updatedAt ?? null,
  };
}

/**
 * What the issue queue needs to number a document (its series, the format of its type, the issue date, the
 * size of its write): the same for a stage move and for a document issued at once (convert, replace).
 */
export function issueSlot(settings: EffectiveInvoicePipeline, invoice: Pick<Invoice, 'tenantId' | 'series' | 'type'>, issueDate: string) {
  return {
    tenantId: invoice.tenantId,
    series: invoice.series,
    format: settings.numbering[invoice.type] ?? defaultNumberFormat(invoice.series),
    issueDate,
    sizeHint: JSON.stringify(invoice).length * 2,
  };
}

/** The tenant's invoice pipeline and number formats (defaults when never saved): for automation and reports. */
export async function get(ports: Pick<InvoicePorts, 'pipelines'>, query: { tenantId: string }): Promise<EffectiveInvoicePipeline> {
  return effective(await ports.pipelines.get(query.tenantId, 'invoice'));
}

/** Problems of a numbering setting, with field paths ('numbering.invoice'). */
export function numberingProblems(numbering: unknown): FieldError[] {
  if (numbering === undefined) return [];
  if (numbering === null || typeof numbering !== 'object' || Array.isArray(numbering)) {
    return [{ field: 'numbering', message: 'numbering must be an object of formats per series' }];
  }
  const errors: FieldError[] = [];
  for (const [series, format] of Object.entries(numbering)) {
    if (!(INVOICE_TYPES as readonly string[]).includes(series)) {
      errors.push({ field: `numbering.${series}`, message: `unknown series; use ${INVOICE_TYPES.join(', ')}` });
      continue;
    }
    const problem = typeof format === 'string' ? validateNumberFormat(format) : 'the format must be a string';
    if (problem) errors.push({ field: `numbering.${series}`, message: problem });
  }
  return errors;
}

/**
 * Saves a tenant's invoice pipeline (and, optionally, its number formats). Refused (422, every problem at
 * once) when invalid, when it would drop a stage that invoices are still in, or change the kind of such a
 * stage (their status would no longer match it): move those invoices first.
 */
export async function update(
  ports: Pick<InvoicePorts, 'invoices' | 'pipelines' | 'now'>,
  cmd: Command & { stages: unknown; numbering?: unknown; expectedVersion?: number },
): Promise<EffectiveInvoicePipeline> {
  const structural = [...validatePipeline({ stages: cmd.stages }, 'invoice'), ...numberingProblems(cmd.numbering)];
  if (structural.length > 0) throw new RuleViolation('the pipeline is not valid', structural);
  const stages = cmd.stages as Stage[];

  const stored = await ports.pipelines.get(cmd.tenantId, 'invoice');
  const current = effective(stored);
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) {
    throw staleVersion(cmd.expectedVersion, current.version);
  }
  const errors: FieldError[] = [];
  for (const old of current.pipeline.stages) {
    const next = stages.find((s) => s.id === old.id);
    if (next && next.kind === old.kind) continue;
    if (await ports.invoices.anyInStage(cmd.tenantId, old.id)) {
      errors.push({
        field: 'stages',
        message: next
          ? `stage "${old.id}" has invoices in it: its kind cannot change from ${old.kind} to ${next.kind}`
          : `stage "${old.id}" has invoices in it: move them to another stage before removing it`,
      });
    }
  }
  if (errors.length > 0) throw new RuleViolation('the pipeline would orphan existing invoices', errors);

  const numbering = (cmd.numbering ?? stored?.numbering) as Partial<InvoiceSeriesFormats> | undefined;
  const saved = await ports.pipelines.save(
    {
      tenantId: cmd.tenantId,
      kind: 'invoice',
      stages: stages.map((s) => ({ id: s.id, name: s.name.trim(), kind: s.kind, requiredFields: [...s.requiredFields] })),
      ...(numbering ? { numbering } : {}),
      version: current.version + 1,
      updatedAt: nowOf(ports).toISOString(),
      updatedBy: cmd.actor.id,
    },
    current.version,
  );
  return effective(saved);
}
