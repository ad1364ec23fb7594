/**
 * The tenant's lead and deal pipelines: saved (the same pipeline records as the invoice pipeline, without
 * number formats) or the defaults.
 */
import {
  Conflict,
  DEFAULT_PIPELINES,
  RuleViolation,
  staleVersion,
  validatePipeline,
  type Command,
  type FieldError,
  type Pipeline,
  type PipelineSettings,
  type PipelineStore,
  type Stage,
} from '../kernel';

export type SalesEntity = 'lead' | 'deal';

/** The tenant's pipeline of an entity kind: its own when saved, else the default. */
export type PipelineSource = (tenantId: string, entity: SalesEntity) => Promise<Pipeline>;

export const defaultPipelines: PipelineSource = async (_tenantId, entity) => DEFAULT_PIPELINES[entity];

/** Whether any lead / deal of the tenant is in a stage (an index query, never a scan). */
export type StageUsage = (tenantId: string, kind: SalesEntity, stageId: string) => Promise<boolean>;

/** The pipelines of a store, defaults filled in: what lead and deal verbs read. */
export function pipelineSource(store: Pick<PipelineStore, 'get'>): PipelineSource {
  return async (tenantId, kind) => {
    const stored = await store.get(tenantId, kind);
    return stored ? { stages: stored.stages } : DEFAULT_PIPELINES[kind];
  };
}

/** The pipeline a tenant works with: saved or default (version 0). */
export async function get(ports: { configs: Pick<PipelineStore, 'get'> }, query: { tenantId: string; kind: SalesEntity }): Promise<PipelineSettings> {
  const { tenantId, kind } = query;
  return (await ports.configs.get(tenantId, kind)) ?? { tenantId, kind, stages: structuredClone(DEFAULT_PIPELINES[kind].stages) as Stage[], version: 0 };
}

/** A lead or deal pipeline as the API shows it. */
export function view(p: PipelineSettings) {
  return { entity: p.kind, stages: p.stages, version: p.version, ...(p.updatedAt ? { updatedAt: p.updatedAt } : {}) };
}

/**
 * Replaces a tenant's lead or deal pipeline. 422 for an invalid pipeline (validatePipeline: ids,
 * kinds, a success stage, known required-field rules); 409 when a stage that items are in would
 * disappear or change kind (they would be stranded, or final without having been closed), or the
 * version is stale.
 */
export async function update(
  ports: { configs: PipelineStore; stageInUse: StageUsage },
  cmd: Command & { kind: SalesEntity; stages: unknown; expectedVersion?: number },
): Promise<PipelineSettings> {
  const problems = validatePipeline({ stages: cmd.stages }, cmd.kind);
  if (problems.length) throw new RuleViolation(`the ${cmd.kind} pipeline is not valid`, problems);
  const stages = cmd.stages as Stage[];
  const current = await get(ports, cmd);
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) {
    throw staleVersion(cmd.expectedVersion, current.version);
  }
  const stranded: FieldError[] = [];
  for (const old of current.stages) {
    const next = stages.find((s) => s.id === old.id);
    if (next && next.kind === old.kind) continue;
    if (await ports.stageInUse(cmd.tenantId, cmd.kind, old.id)) {
      stranded.push({
        field: 'stages',
        message: next ? `stage ${old.id} has ${cmd.kind}s in it: its kind cannot change` : `stage ${old.id} has ${cmd.kind}s in it: it cannot be removed`,
      });
    }
  }
  if (stranded.length) throw new Conflict(`the new ${cmd.kind} pipeline would strand existing ${cmd.kind}s`, stranded);
  const saved: PipelineSettings = {
    tenantId: cmd.tenantId,
    kind: cmd.kind,
    stages: stages.map(({ id, name, kind, requiredFields }) => ({ id, name, kind, requiredFields: [...requiredFields] })),
    version: current.version + 1,
    updatedAt: new Date().toISOString(),
    updatedBy: cmd.actor.id,
  };
  return ports.configs.save(saved, current.version);
}
