/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). Synthesizes offline: no AWS credentials, no network,
 * no Docker (functions are bundled by the esbuild in node_modules, the Chromium layer is assembled from
 * node_modules/@sparticuz/chromium).
 *
 *   npx cdk synth                                   # stage dev
 *   npx cdk synth -c stage=prod -c mailFrom='Acme <invoices@acme.com>' -c alarmEmail=ops@acme.com
 *   CRM_STAGE=staging npx cdk deploy --all
 *   npx cdk synth -c nag=true                      # also run cdk-nag's AwsSolutions pack (infra/nag.ts)
 *
 * Settings and their context keys / CRM_* environment variables: infra/stacks/settings.ts.
 * The stacks are environment-agnostic unless an account and region are known (CDK_DEPLOY_* or the CLI's
 * CDK_DEFAULT_*, set when credentials are available).
 */
import { App, type Environment } from 'aws-cdk-lib';
import { createCrmApp } from './stacks/crm-app';
import { readSettings } from './stacks/settings';

const app = new App();
const settings = readSettings(app.node);

const account = process.env.CDK_DEPLOY_ACCOUNT ?? process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEPLOY_REGION ?? process.env.CDK_DEFAULT_REGION;
const env: Environment | undefined = account && region ? { account, region } : undefined;

createCrmApp(app, { settings, env });
if (['true', '1'].includes(String(app.node.tryGetContext('nag')))) {
  // cdk-nag (a dev dependency, loaded only when asked for) on the construct tree, as tests/infra/nag.test.ts runs it.
  const { AwsSolutionsChecks } = await import('cdk-nag');
  const report = new AwsSolutionsChecks(app).validateScope(app);
  const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}: ${v.description}`));
  if (findings.length) {
    console.error(`cdk-nag: ${findings.length} finding(s) not acknowledged in infra/nag.ts:\n${findings.join('\n')}`);
    process.exit(1);
  }
  console.error('cdk-nag: no unacknowledged findings');
}
app.synth();
