/**
 * Synthesis helpers for the infra tests. Synthesizing the stateless stack bundles every function with
 * esbuild, so each test file synthesizes once (in beforeAll) and asserts on the result.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { BusRule } from '../../events/rules';
import type { FunctionSpec } from '../../infra/functions';
import { createCrmApp, PROJECT_ROOT } from '../../infra/stacks/crm-app';
import { readSettings } from '../../infra/stacks/settings';
import type { StatefulStack } from '../../infra/stacks/stateful-stack';
import type { StatelessStack } from '../../infra/stacks/stateless-stack';

export { PROJECT_ROOT };

/** The feature flags and context of cdk.json, so tests synthesize what `cdk synth` does. */
export const cdkJsonContext: Record<string, unknown> = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context ?? {};

export interface Synthesized {
  app: App;
  outdir: string;
  stateful: StatefulStack;
  stateless: StatelessStack;
  statefulTemplate: Template;
  statelessTemplate: Template;
  cleanup(): void;
}

export interface SynthOptions {
  context?: Record<string, unknown>;
  functions?: Record<string, FunctionSpec>;
  busRules?: readonly BusRule[];
}

/**
 * The whole app, as infra/app.ts builds it (without reading CRM_* variables of the test's shell).
 * The cloud assembly goes under <repo>/cdk.out/ so that the bundles in it resolve node_modules
 * (the smoke test imports them).
 */
export function synthApp(options: SynthOptions = {}): Synthesized {
  const parent = join(PROJECT_ROOT, 'cdk.out');
  mkdirSync(parent, { recursive: true });
  const outdir = mkdtempSync(join(parent, 'test-'));
  const app = new App({ outdir, context: { ...cdkJsonContext, ...options.context } });
  let stacks: ReturnType<typeof createCrmApp>;
  try {
    const settings = readSettings(app.node, {});
    stacks = createCrmApp(app, { settings, functions: options.functions, busRules: options.busRules });
    app.synth();
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  const { stateful, stateless } = stacks;
  return {
    app,
    outdir,
    stateful,
    stateless,
    statefulTemplate: Template.fromStack(stateful),
    statelessTemplate: Template.fromStack(stateless),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

type Resource = { Type: string; Properties?: Record<string, any>; DependsOn?: string | string[]; [key: string]: unknown };

export function resources(template: Template, type?: string): Record<string, Resource> {
  const all = template.toJSON().Resources as Record<string, Resource>;
  return Object.fromEntries(Object.entries(all).filter(([, r]) => !type || r.Type === type));
}

/** The Lambda functions of a template by their `crm:function` tag (the key in infra/functions.ts). */
export function functionsByName(template: Template): Map<string, { logicalId: string; resource: Resource }> {
  const byName = new Map<string, { logicalId: string; resource: Resource }>();
  for (const [logicalId, resource] of Object.entries(resources(template, 'AWS::Lambda::Function'))) {
    const tag = (resource.Properties?.Tags as { Key: string; Value: string }[] | undefined)?.find((t) => t.Key === 'crm:function');
    if (!tag) continue;
    if (byName.has(tag.Value)) throw new Error(`two functions tagged ${tag.Value}`);
    byName.set(tag.Value, { logicalId, resource });
  }
  return byName;
}

/** Every IAM statement attached (through AWS::IAM::Policy or inline policies) to the role of a function. */
export function roleStatements(template: Template, fn: Resource): { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const roleId = fn.Properties?.Role?.['Fn::GetAtt']?.[0] as string;
  const statements: any[] = [];
  for (const policy of Object.values(resources(template, 'AWS::IAM::Policy'))) {
    const roles = (policy.Properties?.Roles ?? []) as { Ref?: string }[];
    if (roles.some((r) => r.Ref === roleId)) statements.push(...policy.Properties!.PolicyDocument.Statement);
  }
  const role = resources(template)[roleId];
  for (const inline of (role?.Properties?.Policies ?? []) as { PolicyDocument: { Statement: unknown[] } }[]) {
    statements.push(...inline.PolicyDocument.Statement);
  }
  return statements;
}

export function actionsOf(statement: { Action: string | string[] }): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** The staged asset directory of a function's code (cdk.out/asset.<hash>). */
export function assetDir(outdir: string, fn: Resource): string {
  const key = fn.Properties?.Code?.S3Key as string;
  if (!key?.endsWith('.zip')) throw new Error(`unexpected Code.S3Key ${JSON.stringify(key)}`);
  return join(outdir, `asset.${key.slice(0, -'.zip'.length)}`);
}

/** Logical ids a value refers to (Ref, Fn::GetAtt), anywhere inside it. */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt') into.add(Array.isArray(inner) ? String(inner[0]) : String(inner).split('.')[0]);
      else if (key === 'Fn::Sub' && typeof inner === 'string') for (const m of inner.matchAll(/\$\{([^}.!]+)[^}]*\}/g)) into.add(m[1]);
      else referencedIds(inner, into);
    }
  }
  return into;
}

/** A dependency cycle among a template's resources (CloudFormation refuses those), or undefined. */
export function findCycle(template: Template): string[] | undefined {
  const all = resources(template);
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(all)) {
    const deps = referencedIds({ p: resource.Properties, c: resource.Condition });
    for (const d of [resource.DependsOn ?? []].flat()) deps.add(d);
    edges.set(
      id,
      [...deps].filter((d) => d in all),
    );
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}
