import { resolve } from 'node:path';
import { Tags, type App, type Environment } from 'aws-cdk-lib';
import { busRules as declaredBusRules, type BusRule } from '../../events/rules';
import { functions as declaredFunctions, type FunctionSpec } from '../functions';
import { acknowledgeNagFindings } from '../nag';
import type { AppSettings } from './settings';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

/** The repository root: function entries, package-lock.json, tsconfig.json and templates/ are found from it. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

export interface CrmAppOptions {
  settings: AppSettings;
  env?: Environment;
  /** Default: infra/functions.ts. Tests add fixtures here. */
  functions?: Record<string, FunctionSpec>;
  /** Default: events/rules.ts. */
  busRules?: readonly BusRule[];
  projectRoot?: string;
}

/**
 * The service as two stacks per stage:
 *  - `crm-invoicing-<stage>-stateful`: table, documents bucket, event bus (retained, deletion-protected in prod);
 *  - `crm-invoicing-<stage>-stateless`: HTTP API, functions, rules, stream mapping, schedules, DLQs, alarms.
 * Two stacks rather than one so the stateless half can be torn down and redeployed (or renamed, refactored)
 * without ever putting data at risk. The references only go stateless -> stateful (names and ARNs; every
 * grant lands on the stateless stack's own roles, which is why the bucket uses S3-managed keys and the table
 * AWS-owned keys: a KMS key policy would pull the stateless roles back into the stateful stack).
 */
export function createCrmApp(app: App, options: CrmAppOptions): { stateful: StatefulStack; stateless: StatelessStack } {
  const { settings, env } = options;
  const prefix = `crm-invoicing-${settings.stage}`;
  Tags.of(app).add('project', 'crm-invoicing');
  Tags.of(app).add('stage', settings.stage);

  const stateful = new StatefulStack(app, `${prefix}-stateful`, {
    env,
    settings,
    description: `CRM invoicing (${settings.stage}): table, documents bucket, event bus`,
  });
  const stateless = new StatelessStack(app, `${prefix}-stateless`, {
    env,
    settings,
    description: `CRM invoicing (${settings.stage}): HTTP API, functions, bus rules, stream, schedules`,
    resources: { table: stateful.table, bucket: stateful.bucket, bus: stateful.bus, secretsKey: stateful.secretsKey },
    functions: options.functions ?? declaredFunctions,
    busRules: options.busRules ?? declaredBusRules,
    projectRoot: options.projectRoot ?? PROJECT_ROOT,
  });
  stateless.addStackDependency(stateful);
  acknowledgeNagFindings({ stateful, stateless });
  return { stateful, stateless };
}
