/**
 * Configurable pipelines (stages) for invoices, leads and deals.
 *
 * A pipeline is an ordered list of stages. Open stages are work in progress; success and failure stages
 * are final. A stage may require fields before an item can enter it: each entry of `requiredFields` is
 * either a named rule of the entity kind's registry (e.g. 'client.emailOrPhone') or a plain dotted path
 * (e.g. 'dueDate', 'client.address.line1') that must hold a non-empty value.
 */
import { RuleViolation, type FieldError } from './errors';

export type StageKind = 'open' | 'success' | 'failure';
export type Stage = { id: string; name: string; kind: StageKind; requiredFields: string[] };
export type Pipeline = { stages: Stage[] };
export type EntityKind = 'invoice' | 'lead' | 'deal';

export type RequiredFieldRule = {
  /** The JSON path named in the error. */
  field: string;
  message: string;
  /** True when the object satisfies the rule. */
  check(obj: unknown): boolean;
};

/**
 * A tenant's saved pipeline of one entity kind (one record per tenant and kind): its stages and, for
 * invoices, the number format per series. Version 0 while the tenant has never saved its own.
 */
export interface PipelineSettings {
  tenantId: string;
  kind: EntityKind;
  stages: Stage[];
  /** Number format per series (invoices only). */
  numbering?: Partial<Record<string, string>>;
  version: number;
  updatedAt?: string;
  updatedBy?: string;
}

/** Where tenants' pipelines are kept. */
export interface PipelineStore {
  get(tenantId: string, kind: EntityKind): Promise<PipelineSettings | null>;
  /** Saves when the stored version is `expectedVersion` (0: none stored yet); throws Conflict otherwise. */
  save(settings: PipelineSettings, expectedVersion: number): Promise<PipelineSettings>;
}

export const STAGE_KINDS: readonly StageKind[] = ['open', 'success', 'failure'];
export const ENTITY_KINDS: readonly EntityKind[] = ['invoice', 'lead', 'deal'];
export const STAGE_ID_PATTERN = /^[A-Z][A-Z0-9_]{0,31}$/;
export const MAX_STAGES = 50;
export const MAX_STAGE_NAME_LENGTH = 100;

const INVOICE_SEND_FIELDS = ['client.emailOrPhone', 'dueDate', 'lines', 'client.taxId'];

function freezePipeline(pipeline: Pipeline): Readonly<Pipeline> {
  for (const stage of pipeline.stages) {
    Object.freeze(stage.requiredFields);
    Object.freeze(stage);
  }
  Object.freeze(pipeline.stages);
  return Object.freeze(pipeline);
}

export const DEFAULT_INVOICE_PIPELINE: Readonly<Pipeline> = freezePipeline({
  stages: [
    { id: 'NEW', name: 'New', kind: 'open', requiredFields: [] },
    { id: 'SENT', name: 'Sent to client', kind: 'open', requiredFields: [...INVOICE_SEND_FIELDS] },
    { id: 'VIEWED', name: 'Viewed by client', kind: 'open', requiredFields: [...INVOICE_SEND_FIELDS] },
    { id: 'PAID', name: 'Paid', kind: 'success', requiredFields: [] },
    { id: 'CANCELLED', name: 'Cancelled', kind: 'failure', requiredFields: [] },
  ],
});

export const DEFAULT_LEAD_PIPELINE: Readonly<Pipeline> = freezePipeline({
  stages: [
    { id: 'NEW', name: 'New', kind: 'open', requiredFields: [] },
    { id: 'IN_PROGRESS', name: 'In progress', kind: 'open', requiredFields: ['contact.emailOrPhone'] },
    { id: 'QUALIFIED', name: 'Qualified', kind: 'open', requiredFields: ['contact.emailOrPhone', 'topic'] },
    { id: 'CONVERTED', name: 'Converted', kind: 'success', requiredFields: [] },
    { id: 'JUNK', name: 'Junk', kind: 'failure', requiredFields: [] },
  ],
});

export const DEFAULT_DEAL_PIPELINE: Readonly<Pipeline> = freezePipeline({
  stages: [
    { id: 'NEW', name: 'New', kind: 'open', requiredFields: [] },
    { id: 'PREPARATION', name: 'Preparing documents', kind: 'open', requiredFields: [] },
    { id: 'CONTRACT_SIGNED', name: 'Contract signed', kind: 'open', requiredFields: ['contractNumber', 'lines'] },
    { id: 'WON', name: 'Won', kind: 'success', requiredFields: [] },
    { id: 'LOST', name: 'Lost', kind: 'failure', requiredFields: [] },
  ],
});

export const DEFAULT_PIPELINES: Readonly<Record<EntityKind, Readonly<Pipeline>>> = Object.freeze({
  invoice: DEFAULT_INVOICE_PIPELINE,
  lead: DEFAULT_LEAD_PIPELINE,
  deal: DEFAULT_DEAL_PIPELINE,
});

// ---------------------------------------------------------------------------------------------------
// Paths and values

const PATH_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_PATH_SEGMENTS = 8;

/** True for a dotted path of identifiers ('dueDate', 'client.address.line1'), at most 8 deep. */
export function isFieldPath(path: string): boolean {
  if (typeof path !== 'string') return false;
  const segments = path.split('.');
  return segments.length <= MAX_PATH_SEGMENTS && segments.every((s) => PATH_SEGMENT.test(s) && !FORBIDDEN_SEGMENTS.has(s));
}

/** The value at a dotted path, reading own properties only (never the prototype chain). */
export function valueAt(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Present and not blank: a non-blank string, a non-empty array or object, any number or boolean. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Readable names of common plain paths, for messages; other paths are named as written. */
const FIELD_LABELS: Readonly<Record<string, string>> = Object.freeze({
  dueDate: 'due date',
  notes: 'notes',
  topic: 'topic',
  contractNumber: 'contract number',
  'client.name': 'client name',
  'client.address.line1': 'client address',
  'client.address.city': 'client city',
  'client.address.postalCode': 'client postal code',
  'client.address.country': 'client country',
});

/** The rule a plain dotted path stands for: the value there must be present. */
export function pathRule(path: string): RequiredFieldRule {
  const label = Object.hasOwn(FIELD_LABELS, path) ? FIELD_LABELS[path] : path;
  return { field: path, message: `${label} is required`, check: (obj) => isPresent(valueAt(obj, path)) };
}

// ---------------------------------------------------------------------------------------------------
// Registry of named rules per entity kind

function emailOrPhone(party: 'client' | 'contact', message: string): RequiredFieldRule {
  return {
    field: `${party}.email`,
    message,
    check: (obj) => isPresent(valueAt(obj, `${party}.email`)) || isPresent(valueAt(obj, `${party}.phone`)),
  };
}

const atLeastOneLine: RequiredFieldRule = {
  field: 'lines',
  message: 'at least one line is required',
  check: (obj) => {
    const lines = valueAt(obj, 'lines');
    return Array.isArray(lines) && lines.length > 0;
  },
};

/**
 * Named required-field rules per entity kind: the rules that are more than "this path is not empty".
 * Any other requiredFields entry is a plain path (see `pathRule`).
 */
export const REQUIRED_FIELD_RULES: Readonly<Record<EntityKind, Readonly<Record<string, RequiredFieldRule>>>> = Object.freeze({
  invoice: Object.freeze({
    'client.emailOrPhone': emailOrPhone('client', 'client e-mail or phone is required to send the invoice'),
    'client.taxId': {
      field: 'client.taxId',
      message: 'client tax id is required when the client is a company',
      check: (obj: unknown) => valueAt(obj, 'client.kind') !== 'company' || isPresent(valueAt(obj, 'client.taxId')),
    },
    lines: atLeastOneLine,
  }),
  lead: Object.freeze({
    'contact.emailOrPhone': emailOrPhone('contact', 'contact e-mail or phone is required'),
  }),
  deal: Object.freeze({
    lines: atLeastOneLine,
  }),
});

/**
 * The rule for a requiredFields entry: the named rule of `entity` (or, without `entity`, of the first
 * entity kind that names it), else the plain-path rule. Null when the entry is neither.
 */
export function ruleFor(id: string, entity?: EntityKind): RequiredFieldRule | null {
  const registries = entity ? [REQUIRED_FIELD_RULES[entity]] : ENTITY_KINDS.map((kind) => REQUIRED_FIELD_RULES[kind]);
  for (const registry of registries) {
    if (Object.hasOwn(registry, id)) return registry[id];
  }
  return isFieldPath(id) ? pathRule(id) : null;
}

/**
 * Every required field of `stage` that `obj` lacks, all at once, in the stage's order. An entry that is
 * neither a named rule nor a valid path is reported as missing (fail closed); validatePipeline rejects
 * such pipelines before they are saved.
 */
export function missingFields(obj: unknown, stage: Pick<Stage, 'requiredFields'>, entity?: EntityKind): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const id of stage.requiredFields) {
    if (seen.has(id)) continue;
    seen.add(id);
    const rule = ruleFor(id, entity);
    if (rule === null) errors.push({ field: id, message: `unknown required field rule "${id}"` });
    else if (!rule.check(obj)) errors.push({ field: rule.field, message: rule.message });
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------------
// Validation of a pipeline a tenant configures

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Every problem of a pipeline, with JSON paths ('stages[2].requiredFields[0]'). Empty when valid.
 * Rules: 1 to 50 stages; ids unique and matching /^[A-Z][A-Z0-9_]{0,31}$/; a non-blank name; a known
 * kind; the first stage open (new items start there); at least one success stage (where "paid", "won",
 * "converted" lands); each requiredFields entry a named rule or a plain path, none twice in a stage.
 * With `entity`, a named rule of another entity kind (e.g. 'contact.emailOrPhone' on an invoice) is refused.
 */
export function validatePipeline(pipeline: unknown, entity?: EntityKind): FieldError[] {
  if (!isRecord(pipeline) || !Array.isArray(pipeline.stages)) {
    return [{ field: 'stages', message: 'stages must be an array' }];
  }
  const stages: unknown[] = pipeline.stages;
  const errors: FieldError[] = [];
  if (stages.length === 0) errors.push({ field: 'stages', message: 'a pipeline needs at least one stage' });
  if (stages.length > MAX_STAGES) errors.push({ field: 'stages', message: `a pipeline has at most ${MAX_STAGES} stages` });

  const firstIndexOfId = new Map<string, number>();
  stages.forEach((stage, i) => {
    const at = `stages[${i}]`;
    if (!isRecord(stage)) {
      errors.push({ field: at, message: 'a stage must be an object' });
      return;
    }
    const { id, name, kind, requiredFields } = stage;
    if (typeof id !== 'string' || !STAGE_ID_PATTERN.test(id)) {
      errors.push({
        field: `${at}.id`,
        message: 'id must be 1 to 32 upper-case letters, digits or underscores, starting with a letter',
      });
    } else if (firstIndexOfId.has(id)) {
      errors.push({ field: `${at}.id`, message: `duplicate stage id "${id}" (also stages[${firstIndexOfId.get(id)}])` });
    } else {
      firstIndexOfId.set(id, i);
    }
    if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_STAGE_NAME_LENGTH) {
      errors.push({ field: `${at}.name`, message: `name must be a non-blank string of at most ${MAX_STAGE_NAME_LENGTH} characters` });
    }
    if (typeof kind !== 'string' || !(STAGE_KINDS as readonly string[]).includes(kind)) {
      errors.push({ field: `${at}.kind`, message: 'kind must be "open", "success" or "failure"' });
    } else if (i === 0 && kind !== 'open') {
      errors.push({ field: `${at}.kind`, message: 'the first stage must be an open stage' });
    }
    if (!Array.isArray(requiredFields)) {
      errors.push({ field: `${at}.requiredFields`, message: 'requiredFields must be an array' });
      return;
    }
    const seen = new Set<string>();
    requiredFields.forEach((ruleId: unknown, j) => {
      const field = `${at}.requiredFields[${j}]`;
      if (typeof ruleId !== 'string' || ruleFor(ruleId, entity) === null) {
        errors.push({ field, message: `unknown required field ${JSON.stringify(ruleId)}` });
      } else if (entity && isForeignRule(ruleId, entity)) {
        errors.push({ field, message: `required field rule "${ruleId}" does not apply to ${entity}s` });
      } else if (seen.has(ruleId)) {
        errors.push({ field, message: `duplicate required field "${ruleId}"` });
      }
      if (typeof ruleId === 'string') seen.add(ruleId);
    });
  });

  if (stages.length > 0 && !stages.some((s) => isRecord(s) && s.kind === 'success')) {
    errors.push({ field: 'stages', message: 'a pipeline needs at least one success stage' });
  }
  return errors;
}

/** A named rule of another entity kind only, which `entity` would read as a plain path that is never there. */
function isForeignRule(id: string, entity: EntityKind): boolean {
  return !Object.hasOwn(REQUIRED_FIELD_RULES[entity], id) && ENTITY_KINDS.some((kind) => kind !== entity && Object.hasOwn(REQUIRED_FIELD_RULES[kind], id));
}

// ---------------------------------------------------------------------------------------------------
// Moves

export function findStage(pipeline: Pipeline, id: string): Stage | undefined {
  return pipeline.stages.find((stage) => stage.id === id);
}

/**
 * The 422 for a stage the pipeline does not have, teaching what it has: `unknown stage "sent"; stages are NEW,
 * SENT, VIEWED, PAID, CANCELLED (stage ids are upper case: "SENT")`.
 */
export function unknownStage(pipeline: Pipeline, id: string, entity: EntityKind): RuleViolation {
  const ids = pipeline.stages.map((s) => s.id);
  const upper = id.trim().toUpperCase();
  const hint = upper !== id && ids.includes(upper) ? ` (stage ids are upper case: "${upper}")` : '';
  const message = `unknown stage "${id}"; stages are ${ids.join(', ')}${hint}`;
  return new RuleViolation(`the ${entity} pipeline has no stage "${id}"`, [{ field: 'stage', message }]);
}

/** The stage a new item starts in (the first one). */
export function initialStage(pipeline: Pipeline): Stage {
  const first = pipeline.stages[0];
  if (!first) throw new RangeError('the pipeline has no stages');
  return first;
}

export function isFinalStage(stage: Stage): boolean {
  return stage.kind !== 'open';
}

/**
 * Null when an item may move from `from` to `to`, else the reason it may not. Any open stage may move to
 * any other stage (forward, back, or straight to success/failure); success and failure stages are final:
 * a paid or cancelled invoice, a converted or junk lead, a won or lost deal never moves again (a
 * cancelled invoice is corrected by a new one, a junk lead by a new lead). Required fields of `to` are
 * checked separately, with `missingFields`.
 */
export function canMove(pipeline: Pipeline, from: string, to: string): string | null {
  const source = findStage(pipeline, from);
  if (!source) return `unknown stage "${from}"`;
  const target = findStage(pipeline, to);
  if (!target) return `unknown stage "${to}"`;
  if (from === to) return `already in stage "${to}"`;
  if (isFinalStage(source)) return `stage "${from}" is final (${source.kind}); the item cannot leave it`;
  return null;
}
