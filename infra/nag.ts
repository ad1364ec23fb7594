/**
 * cdk-nag (AwsSolutions pack): the findings this app acknowledges, each with its reason, in this one place.
 * tests/infra/nag.test.ts runs the pack on the app and fails on any finding not acknowledged here;
 * `npx cdk synth -c nag=true` runs it at synthesis too.
 *
 * Acknowledgements are narrow: each names one rule (and, for IAM5, the exact wildcard) on the constructs it is
 * about, and the wildcard ones are only given when what the wildcard covers is what the reason says (a policy
 * with a Resource "*" statement outside the known list below gets no acknowledgement and fails the test).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { bucketGrants } from './access';
import type { StatefulStack } from './stacks/stateful-stack';
import type { StatelessStack } from './stacks/stateless-stack';

export interface NagAcknowledgement {
  id: string;
  reason: string;
}

/** Actions that have no resource-level permissions (or publish to a phone number, which has no ARN). */
export const ACTIONS_WITHOUT_RESOURCES = new Set([
  // X-Ray tracing (Tracing.ACTIVE): PutTraceSegments / PutTelemetryRecords only accept "*".
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  // SMS to a phone number; the same role has a Deny on every topic and endpoint ARN.
  'sns:Publish',
  // The stream's event source mapping: ListStreams only accepts "*" (it reads nothing).
  'dynamodb:ListStreams',
]);

export const REASONS = {
  apiAuthorization:
    'Every route is authorized by the function behind it (functions/shared/http/api.ts): API keys stored as SHA-256 hashes, ' +
    'bound to one tenant, user and role, checked against the one permission table before the handler runs; the public ' +
    'routes /p/* are authorized by their 192-bit link token. A gateway authorizer would make the same decision a second ' +
    'time (and add its own cold start) without narrowing who gets in.',
  deadLetterQueue:
    'This queue is itself a dead-letter queue (a Lambda on-failure destination or an EventBridge target DLQ), kept 14 days ' +
    'and alarmed on its first message; a DLQ behind it would only move the same messages one hop further.',
  resourceStar:
    'The statements with Resource "*" are only actions without resource-level permissions: X-Ray tracing ' +
    '(PutTraceSegments, PutTelemetryRecords), SMS publishing to phone numbers (sns:Publish, with a Deny on every topic ' +
    "and endpoint ARN), and the stream mapping's ListStreams.",
  tenantPrefix:
    'Object keys start with the tenant (tenant/{tenantId}/{area}/...) and one function serves every tenant, so the tenant ' +
    'part is a wildcard; the grant is limited to the area this function reads or writes (infra/access.ts), and tenancy ' +
    'is enforced where the key is built.',
  schedulerInvoke: 'The scheduler may invoke this one function, any of its versions or aliases (what LambdaInvoke grants).',
} as const;

/** Applies every acknowledgement to the two stacks; createCrmApp calls it once everything is built. */
export function acknowledgeNagFindings(stacks: { stateful: StatefulStack; stateless: StatelessStack }): void {
  const { stateful, stateless } = stacks;
  // (S1, server access logs: fixed, the documents bucket logs to stateful.accessLogs, which nag accepts as a log bucket.)
  const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });

  ack(stateless.api, 'AwsSolutions-APIG4', REASONS.apiAuthorization);
  ack(stateless.deliveryDlq, 'AwsSolutions-SQS3', REASONS.deadLetterQueue);

  // Cross-stack ARNs as nag spells them when it runs on the construct tree (tests/infra/nag.test.ts, `-c nag=true`).
  const bucketArn = `<${stateful.getLogicalId(stateful.bucket.node.defaultChild as never)}.Arn>`;
  for (const fn of stateless.functions.values()) {
    if (fn.deadLetterQueue) ack(fn.deadLetterQueue, 'AwsSolutions-SQS3', REASONS.deadLetterQueue);
    const policy = fn.role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    if (!policy) continue;
    // Each wildcard is acknowledged only when it is one the reasons cover, checked on the policy itself.
    const { read, write } = bucketGrants(fn.spec.access);
    const wildcards = wildcardsOf(policy, new Set([...read, ...write].filter((p) => p !== '*')));
    if (wildcards.star) ack(policy, 'AwsSolutions-IAM5[Resource::*]', REASONS.resourceStar);
    for (const pattern of wildcards.tenantAreas) ack(policy, `AwsSolutions-IAM5[Resource::${bucketArn}/${pattern}]`, REASONS.tenantPrefix);
  }

  // EventBridge Scheduler roles (functions with `schedule`): lambda:InvokeFunction on the function and its qualifiers;
  // aws-scheduler-targets makes one such role at the stack's root, `SchedulerRoleForTarget-<hash>`.
  const roles = stateless.node.children.filter((c) => c.node.id.startsWith('SchedulerRoleForTarget'));
  for (const [name, fn] of stateless.functions) {
    if (fn.spec.schedule === undefined) continue;
    const fnArn = `<${stateless.getLogicalId(fn.function.node.defaultChild as never)}.Arn>`;
    for (const role of roles) ack(role, `AwsSolutions-IAM5[Resource::${fnArn}:*]`, `${REASONS.schedulerInvoke} (${name})`);
  }
}

type PolicyStatementJson = { Effect: string; Action: string | string[]; Resource: unknown };

/**
 * The wildcards of a function's policy that the reasons cover: Resource "*" when its actions are only
 * ACTIONS_WITHOUT_RESOURCES, and S3 object patterns of the function's own areas with GetObject / PutObject only.
 * Anything else (a wildcard action, Resource "*" for an action that has an ARN, another pattern) is left
 * unacknowledged, so the test fails on it.
 */
function wildcardsOf(policy: iam.Policy, areas: Set<string>): { star: boolean; tenantAreas: string[] } {
  const document = Stack.of(policy).resolve(policy.document.toJSON()) as { Statement?: PolicyStatementJson[] };
  let star = true;
  let anyStar = false;
  const tenantAreas = new Set<string>();
  for (const statement of (document.Statement ?? []).filter((s) => s.Effect === 'Allow')) {
    const actions = [statement.Action].flat();
    for (const resource of [statement.Resource].flat()) {
      if (resource === '*') {
        anyStar = true;
        if (!actions.every((a) => ACTIONS_WITHOUT_RESOURCES.has(a))) star = false;
        continue;
      }
      // {"Fn::Join":["",[<bucket ARN>,"/tenant/*/<area>/*"]]}: the pattern is the last literal of the join
      const pattern = /,"\/([^"]*)"\]\]\}$/.exec(JSON.stringify(resource))?.[1];
      if (pattern && areas.has(pattern) && actions.every((a) => a === 's3:GetObject' || a === 's3:PutObject')) tenantAreas.add(pattern);
    }
  }
  return { star: anyStar && star, tenantAreas: [...tenantAreas] };
}
