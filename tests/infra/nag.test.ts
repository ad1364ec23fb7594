/**
 * cdk-nag's AwsSolutions pack on the whole app: every finding is either fixed or acknowledged with its reason in
 * infra/nag.ts; a new one fails here. Synthesized without bundling (the rules read the construct tree, not the code).
 *
 * Findings on the declared app, before this test existed: 178 (78 APIG4, 76 IAM5, 19 IAM4, 4 SQS3, 1 S1).
 * Fixed since: IAM4 (own role per function, logs to its own log group only), S1 (server access logs), 45 IAM5
 * (explicit S3 and DynamoDB actions, named indexes, S3 areas). Acknowledged: 78 APIG4, 31 IAM5, 4 SQS3;
 * with the payments function since: 92 APIG4, 32 IAM5, 4 SQS3.
 */
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { functions as declared, type FunctionSpec } from '../../infra/functions';
import { createCrmApp } from '../../infra/stacks/crm-app';
import { readSettings } from '../../infra/stacks/settings';
import { cdkJsonContext } from './synth';

const STAND_IN = 'tests/infra/fixtures/async-handler.ts';

/** The app's nag findings that nothing acknowledges, as `rule path` lines. */
function unacknowledged(functions: Record<string, FunctionSpec> = declared): string[] {
  const app = new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
  createCrmApp(app, { settings: readSettings(app.node, {}), functions });
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the app as declared', () => {
    expect(unacknowledged()).toEqual([]);
  }, 120_000);

  it('finds nothing unacknowledged in the construct paths the declarations do not use yet (a scheduled function)', () => {
    const scheduled: FunctionSpec = { entry: STAND_IN, description: 'nag: scheduled', access: ['tableRead'], schedule: 'rate(1 day)' };
    expect(unacknowledged({ ...declared, nagScheduled: scheduled })).toEqual([]);
  }, 120_000);

  it('fails on a new finding: a function granted the whole bucket instead of an area', () => {
    // Prepare: a function the acknowledgements do not cover
    const wholeBucket: FunctionSpec = { entry: STAND_IN, description: 'nag: whole bucket', access: ['bucket'], routes: ['GET /nag/a'] };
    const functions = { ...declared, nagWholeBucket: wholeBucket };

    // Act
    const findings = unacknowledged(functions);

    // Assess
    expect(findings).toEqual([expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Documents\w+\.Arn>\/\*\] .*NagWholeBucket\//)]);
  }, 120_000);
});
