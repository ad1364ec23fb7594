import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import * as path from 'node:path';
import type { BusRule } from '../../events/rules';
import { AppFunction, type AppResources } from '../constructs/app-function';
import { DepsLayer } from '../constructs/deps-layer';
import { PdfFunction } from '../constructs/pdf-function';
import { parseRoute, type FunctionSpec } from '../functions';
import type { AppSettings } from './settings';

export interface StatelessStackProps extends StackProps {
  settings: AppSettings;
  /** The table, bucket and bus of the stateful stack. */
  resources: AppResources;
  /** infra/functions.ts */
  functions: Record<string, FunctionSpec>;
  /** events/rules.ts */
  busRules: readonly BusRule[];
  projectRoot: string;
}

/** ElectroDB writes the entity name of every item in this attribute; publish-events only reads outbox INSERTs. */
export const OUTBOX_ENTITY_ATTRIBUTE = '__edb_e__';
export const OUTBOX_ENTITY = 'outbox';

/**
 * What runs: every function of infra/functions.ts, the HTTP API serving their routes, the bus rules of
 * events/rules.ts, the table stream feeding `stream: true` functions and the schedules of `schedule`
 * functions, with DLQs and alarms. Everything is derived from those two files: a new function, route or
 * rule appears here without touching this stack.
 *
 * Cross-stack references to the stateful stack only go one way (this stack reads names/ARNs of the table,
 * bucket and bus and adds IAM to its own roles); the stateful stack never references anything here, so
 * this stack can be destroyed and redeployed on its own.
 */
export class StatelessStack extends Stack {
  readonly api: apigw.HttpApi;
  readonly functions = new Map<string, AppFunction>();
  readonly rules = new Map<string, events.Rule>();
  readonly alarmTopic: sns.Topic;
  /** Events the bus (or the scheduler) could not deliver to a target after its retries. */
  readonly deliveryDlq: sqs.Queue;
  /** The value functions get as PUBLIC_BASE_URL. */
  readonly publicBaseUrl: string;
  private readonly resources: AppResources;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings, resources, projectRoot, busRules } = props;
    this.resources = resources;
    const specs = props.functions;

    this.alarmTopic = new sns.Topic(this, 'Alarms', { displayName: `crm-invoicing ${settings.stage} alarms`, enforceSSL: true });
    if (settings.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));

    this.deliveryDlq = this.queue('EventDeliveryDlq');

    // --- HTTP API ------------------------------------------------------------------------------------
    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: `crm-invoicing-${settings.stage}`,
      description: `CRM invoicing API (${settings.stage})`,
      createDefaultStage: false,
      corsPreflight: settings.corsOrigins.length
        ? {
            allowOrigins: settings.corsOrigins,
            allowMethods: [apigw.CorsHttpMethod.ANY],
            allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match', 'x-correlation-id'],
            exposeHeaders: ['etag', 'location'],
            maxAge: Duration.hours(1),
          }
        : undefined,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: settings.isProduction ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.apiRateLimit, burstLimit: settings.apiBurstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    // The functions are told the API's URL. apiEndpoint is an attribute of the Api resource alone (no stage,
    // route or integration), so Function -> Api while Route -> Integration -> Function: no cycle.
    this.publicBaseUrl = settings.publicBaseUrl ?? this.api.apiEndpoint;

    // --- Functions -----------------------------------------------------------------------------------
    const busTargets = new Set(busRules.map((rule) => rule.target));
    for (const [name, spec] of Object.entries(specs)) {
      const isAsync = busTargets.has(name) || spec.stream === true || spec.schedule !== undefined;
      const common = {
        name,
        spec,
        resources,
        settings,
        projectRoot,
        publicBaseUrl: this.publicBaseUrl,
        async: isAsync,
        defaultTimeoutSeconds: spec.routes?.length ? 10 : 30,
      };
      const id = constructId(name);
      const deps = spec.pdf ? undefined : DepsLayer.of(this, projectRoot);
      const fn = spec.pdf
        ? new PdfFunction(this, id, common).app
        : new AppFunction(this, id, {
            ...common,
            layers: [deps!.layer],
            externalModules: deps!.externalModules,
            ...(spec.files ? { commandHooks: copyFiles(projectRoot, spec.files) } : {}),
          });
      this.functions.set(name, fn);
    }

    this.addRoutes(specs);
    this.addRules(busRules, settings);
    this.addStreams(resources);
    this.addSchedules(specs, settings);
    this.addAlarms();

    new CfnOutput(this, 'ApiEndpoint', { value: this.api.apiEndpoint, description: 'The HTTP API execute-api endpoint' });
    new CfnOutput(this, 'PublicBaseUrl', { value: this.publicBaseUrl, description: 'PUBLIC_BASE_URL given to the functions' });
  }

  /** Every `METHOD /path` of every function, one integration per function. */
  private addRoutes(specs: Record<string, FunctionSpec>): void {
    const seen = new Map<string, string>();
    for (const [name, spec] of Object.entries(specs)) {
      if (!spec.routes?.length) continue;
      // One invoke permission per function for this API (not one per route): keeps the stack far from
      // CloudFormation's 500-resource limit and the function policy small as routes are added.
      const integration = new HttpLambdaIntegration(`${constructId(name)}Integration`, this.functions.get(name)!.function, {
        scopePermissionToRoute: false,
      });
      for (const route of spec.routes) {
        const { method, path } = parseRoute(route);
        const httpMethod = HTTP_METHODS[method as keyof typeof HTTP_METHODS];
        if (!httpMethod || !path?.startsWith('/')) {
          throw new Error(
            `infra/functions.ts: ${name} has route "${route}"; expected "METHOD /path" with METHOD one of ${Object.keys(HTTP_METHODS).join(', ')}`,
          );
        }
        const key = `${method} ${path}`;
        if (seen.has(key)) throw new Error(`infra/functions.ts: route "${key}" is declared by both ${seen.get(key)} and ${name}`);
        seen.set(key, name);
        this.api.addRoutes({ path, methods: [httpMethod], integration });
      }
    }
  }

  /**
   * One EventBridge rule per events/rules.ts entry, same pattern, targeting the named function with retries
   * and a DLQ. A rule whose target is not (yet) in infra/functions.ts is skipped with a warning, and is an
   * error on a production stage: deploying prod without a rule's consumer would silently drop events.
   */
  private addRules(busRules: readonly BusRule[], settings: AppSettings): void {
    for (const rule of busRules) {
      const target = this.functions.get(rule.target);
      if (!target) {
        const message = `events/rules.ts: rule "${rule.name}" targets "${rule.target}", which infra/functions.ts does not declare; the rule is not deployed`;
        if (settings.isProduction) Annotations.of(this).addError(message);
        else Annotations.of(this).addWarning(message);
        continue;
      }
      const eventRule = new events.Rule(this, `Rule${constructId(rule.name)}`, {
        eventBus: this.resources.bus,
        description: rule.description.slice(0, 512),
        eventPattern: toEventPattern(rule.pattern),
      });
      eventRule.addTarget(
        new eventTargets.LambdaFunction(target.function, {
          deadLetterQueue: this.deliveryDlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      );
      this.rules.set(rule.name, eventRule);
    }
  }

  /** The table's stream into every `stream: true` function: outbox INSERTs only, partial batch failures, DLQ. */
  private addStreams(resources: AppResources): void {
    for (const fn of this.functions.values()) {
      if (!fn.spec.stream) continue;
      fn.function.addEventSource(
        new DynamoEventSource(resources.table, {
          // A re-created mapping starts at the stream's end, never replaying 24 h of history to every consumer
          // (CloudFormation creates the new mapping before it deletes the old one, so the two overlap: no gap).
          // Rules also act only on events after their activeSince (README, "When the table's stream mapping is re-created").
          startingPosition: lambda.StartingPosition.LATEST,
          batchSize: 100,
          parallelizationFactor: 1, // keeps the per-item order of the stream
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          retryAttempts: 10,
          // The failure record only points into the stream (24 h retention): leave time to replay it.
          maxRecordAge: Duration.hours(12),
          onFailure: new SqsDlq(fn.deadLetterQueue!),
          // The same test publish-events makes itself; the mapping just stops paying for the rest.
          filters: [
            lambda.FilterCriteria.filter({
              eventName: lambda.FilterRule.isEqual('INSERT'),
              dynamodb: { NewImage: { [OUTBOX_ENTITY_ATTRIBUTE]: { S: lambda.FilterRule.isEqual(OUTBOX_ENTITY) } } },
            }),
          ],
        }),
      );
    }
  }

  /** EventBridge Scheduler schedules for functions with `schedule` (rate(...), cron(...) or at(...)). */
  private addSchedules(specs: Record<string, FunctionSpec>, settings: AppSettings): void {
    for (const [name, spec] of Object.entries(specs)) {
      if (spec.schedule === undefined) continue;
      if (!/^(rate|cron|at)\(.+\)$/.test(spec.schedule.trim())) {
        throw new Error(`infra/functions.ts: ${name} has schedule "${spec.schedule}"; expected rate(...), cron(...) or at(...)`);
      }
      new scheduler.Schedule(this, `Schedule${constructId(name)}`, {
        description: `${name}: ${spec.description}`.slice(0, 512),
        schedule: scheduler.ScheduleExpression.expression(spec.schedule.trim(), TimeZone.of(settings.scheduleTimezone)),
        target: new LambdaInvoke(this.functions.get(name)!.function, {
          deadLetterQueue: this.deliveryDlq,
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
      });
    }
  }

  /** A message in any DLQ, a lagging stream or a burst of 5xx pages the alarm topic. */
  private addAlarms(): void {
    const action = new SnsAction(this.alarmTopic);
    const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(action);
    };
    const queueDepth = (queue: sqs.IQueue) => queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });

    alarm('EventDeliveryDlqAlarm', queueDepth(this.deliveryDlq), 1, 'Events the bus or the scheduler could not deliver to a function');
    for (const [name, fn] of this.functions) {
      const id = constructId(name);
      if (fn.deadLetterQueue) alarm(`${id}DlqAlarm`, queueDepth(fn.deadLetterQueue), 1, `${name}: failed asynchronous invocations or stream batches`);
      if (fn.spec.stream) {
        alarm(
          `${id}IteratorAgeAlarm`,
          fn.function.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
          5 * 60 * 1000,
          `${name}: the table stream is more than 5 minutes behind`,
        );
      }
    }
    alarm(
      'Api5xxAlarm',
      this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      5,
      'The HTTP API answered 5xx at least 5 times in 5 minutes',
    );
  }

  private queue(id: string): sqs.Queue {
    return new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
  }
}

/** Bundling hooks that copy files beside a function's bundle (local bundling runs them with bash). */
function copyFiles(projectRoot: string, files: Record<string, string>) {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) =>
      Object.entries(files).flatMap(([from, to]) => [
        `mkdir -p "${path.dirname(path.join(outputDir, to))}"`,
        `cp "${path.join(projectRoot, from)}" "${path.join(outputDir, to)}"`,
      ]),
  };
}

const HTTP_METHODS = {
  GET: apigw.HttpMethod.GET,
  POST: apigw.HttpMethod.POST,
  PUT: apigw.HttpMethod.PUT,
  PATCH: apigw.HttpMethod.PATCH,
  DELETE: apigw.HttpMethod.DELETE,
  HEAD: apigw.HttpMethod.HEAD,
  OPTIONS: apigw.HttpMethod.OPTIONS,
  ANY: apigw.HttpMethod.ANY,
} as const;

/** events/rules.ts patterns use EventBridge's own keys; CDK's EventPattern wants them camelCased. */
export function toEventPattern(pattern: BusRule['pattern'] & Record<string, unknown>): events.EventPattern {
  const keys: Record<string, keyof events.EventPattern> = {
    source: 'source',
    'detail-type': 'detailType',
    detail: 'detail',
    account: 'account',
    region: 'region',
    resources: 'resources',
    time: 'time',
    id: 'id',
    version: 'version',
  };
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    const cdkKey = keys[key];
    if (!cdkKey) throw new Error(`events/rules.ts: unsupported event pattern key "${key}"`);
    result[cdkKey] = value;
  }
  return result as events.EventPattern;
}

/** `render-requested-documents` / `publishEvents` -> `RenderRequestedDocuments` / `PublishEvents`. */
export function constructId(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}
