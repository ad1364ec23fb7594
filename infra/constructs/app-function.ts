import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Annotations, Aws, Duration, RemovalPolicy, Size, Stack, Tags } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../events/envelope';
import { bucketGrants, SECRETS_OPEN_ACTIONS, SECRETS_SEAL_ACTIONS, secretGrants, tableActions, type Access } from '../access';
import type { FunctionSpec } from '../functions';
import { mailAddress, type AppSettings } from '../stacks/settings';
import { tableDesign } from '../table-design';

/** The shared resources a function may be granted (by its `access` list) and is told the names of. */
export interface AppResources {
  table: dynamodb.ITable;
  bucket: s3.IBucket;
  bus: events.IEventBus;
  /** Seals tenant secrets (functions with `secretsSeal:` / `secretsOpen:` access). */
  secretsKey?: kms.IKey;
}

export interface AppFunctionProps {
  /** The function's key in infra/functions.ts. */
  name: string;
  spec: FunctionSpec;
  resources: AppResources;
  settings: AppSettings;
  /** Repository root: `spec.entry` is relative to it; package-lock.json and tsconfig.json live there. */
  projectRoot: string;
  /** PUBLIC_BASE_URL: the custom domain, or the HTTP API's endpoint (a token). */
  publicBaseUrl: string;
  /**
   * Invoked asynchronously (bus rule target, schedule) or by an event source mapping (stream):
   * gets a dead-letter queue, used as the async on-failure destination (and by the stream mapping).
   */
  async?: boolean;
  /** Defaults for when the spec says nothing. */
  defaultMemoryMb?: number;
  defaultTimeoutSeconds?: number;
  /** Overrides for specialised functions (PdfFunction). */
  memorySize?: number;
  timeout?: Duration;
  architecture?: lambda.Architecture;
  layers?: lambda.ILayerVersion[];
  ephemeralStorageSize?: number;
  /** Extra modules left out of the bundle (on top of the AWS SDK). */
  externalModules?: string[];
  commandHooks?: nodejs.ICommandHooks;
  environment?: Record<string, string>;
}

/**
 * esbuild's ESM output has no `require`; CommonJS dependencies bundled into it (handlebars, ...) call it
 * for Node built-ins. The alias avoids clashing with a bundled `import { createRequire }`.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire as __crmCreateRequire } from 'node:module'; const require = __crmCreateRequire(import.meta.url);";

/**
 * Labelled statements the bundles leave out: `DOCS:` attaches the routes' response schemas, which only the
 * OpenAPI document uses (functions/shared/http/route.ts, documentResponses).
 */
export const DROPPED_LABELS = ['DOCS'];

/** The AWS SDK v3 is provided by the nodejs24.x runtime: never shipped in a bundle (unless bundleAwsSdk). */
export const AWS_SDK_EXTERNALS = ['@aws-sdk/*'];

/**
 * One Lambda function of infra/functions.ts with its defaults, its grants and its environment together:
 * Node.js 24 on arm64, an ESM bundle (esbuild, local: no Docker), X-Ray tracing, a log group with
 * retention, the service's environment variables, IAM grants that follow the spec's `access` list and
 * nothing else, and a DLQ when it is invoked asynchronously.
 */
export class AppFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  /** The DLQ of an asynchronous function: async invocations that failed all retries, and stream batches. */
  readonly deadLetterQueue?: sqs.Queue;
  readonly spec: FunctionSpec;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const { name, spec, resources, settings, projectRoot } = props;
    this.spec = spec;

    const entry = isAbsolute(spec.entry) ? spec.entry : join(projectRoot, spec.entry);
    if (!existsSync(entry)) {
      throw new Error(`infra/functions.ts: function "${name}" has entry ${spec.entry}, which does not exist`);
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: settings.isProduction ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    if (props.async) {
      this.deadLetterQueue = new sqs.Queue(this, 'Dlq', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    }

    const timeoutSeconds = spec.timeoutSeconds ?? props.defaultTimeoutSeconds ?? 10;
    if (spec.routes?.length && timeoutSeconds > 29) {
      Annotations.of(this).addWarning(`${name}: timeoutSeconds ${timeoutSeconds} exceeds the HTTP API's 30 s integration timeout`);
    }

    const externalModules = [...(settings.bundleAwsSdk ? [] : AWS_SDK_EXTERNALS), ...(props.externalModules ?? [])];

    // The function's own role, without the AWSLambdaBasicExecutionRole managed policy (which lets a role write
    // to every log group of the account): it writes to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `crm-invoicing ${settings.stage}: ${name}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      description: spec.description.slice(0, 256),
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? spec.memoryMb ?? props.defaultMemoryMb ?? 1024,
      timeout: props.timeout ?? Duration.seconds(timeoutSeconds),
      ephemeralStorageSize: props.ephemeralStorageSize === undefined ? undefined : Size.mebibytes(props.ephemeralStorageSize),
      layers: props.layers,
      role: this.role,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      environment: {
        ...serviceEnvironment(resources, settings, props.publicBaseUrl),
        ...secretsEnvironment(spec.access, resources),
        ...props.environment,
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        // The client-facing texts (templates/i18n) stay UTF-8: esbuild's default ASCII escapes cost 6 bytes a letter.
        // Passed as an argument: this aws-cdk-lib declares `charset` but does not hand it to esbuild.
        // `DOCS:` statements are dropped (DROPPED_LABELS): schemas only the OpenAPI document uses stay out of the bundle.
        esbuildArgs: { '--charset': 'utf8', '--drop-labels': DROPPED_LABELS.join(',') },
        // Minified class names would leak into error names and problem types; keep them.
        keepNames: true,
        sourceMap: true,
        sourceMapMode: nodejs.SourceMapMode.DEFAULT,
        sourcesContent: false,
        externalModules,
        bundleAwsSDK: settings.bundleAwsSdk,
        tsconfig: join(projectRoot, 'tsconfig.json'),
        // Bundle with the esbuild of node_modules; never fall back to Docker (synth works offline).
        forceDockerBundling: false,
        logLevel: nodejs.LogLevel.ERROR,
        commandHooks: props.commandHooks,
      },
      ...(this.deadLetterQueue ? { onFailure: new SqsDestination(this.deadLetterQueue), retryAttempts: 2, maxEventAge: Duration.hours(6) } : {}),
    });
    Tags.of(this).add('crm:function', name);

    grantAccess(this.function, spec.access, resources, settings);
  }
}

/** The environment every function gets: the names of the shared resources and the service settings. */
export function serviceEnvironment(resources: AppResources, settings: AppSettings, publicBaseUrl: string): Record<string, string> {
  return {
    TABLE_NAME: resources.table.tableName,
    BUCKET_NAME: resources.bucket.bucketName,
    EVENT_BUS_NAME: resources.bus.eventBusName,
    EVENT_SOURCE,
    PUBLIC_BASE_URL: publicBaseUrl,
    MAIL_FROM: settings.mailFrom,
    ...(settings.smsSenderId ? { SMS_SENDER_ID: settings.smsSenderId } : {}),
    STAGE: settings.stage,
    LOG_LEVEL: settings.logLevel,
    POWERTOOLS_SERVICE_NAME: 'crm-invoicing',
    POWERTOOLS_LOG_LEVEL: settings.logLevel,
    // Stack traces through the bundle's source map.
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/** SECRETS_KMS_KEY_ID for a function that seals or opens tenant secrets. */
export function secretsEnvironment(access: readonly Access[], resources: AppResources): Record<string, string> {
  const grants = secretGrants(access);
  if (!grants.seal.length && !grants.open.length) return {};
  if (!resources.secretsKey) throw new Error('infra: a function declares secrets access but the stack has no secrets key');
  return { SECRETS_KMS_KEY_ID: resources.secretsKey.keyArn };
}

/**
 * IAM that follows the `access` list of infra/functions.ts (infra/access.ts says what each kind allows), and
 * nothing else: DynamoDB item actions on the table and its declared indexes (never `index/*`), S3 GetObject /
 * PutObject under the declared prefixes, PutEvents on the bus, SES as the configured identity, SNS for SMS only.
 */
export function grantAccess(fn: lambda.IFunction, access: readonly Access[], resources: AppResources, settings: AppSettings): void {
  const kinds = new Set(access);
  const dynamo = tableActions([...kinds]);
  if (dynamo.length) {
    const { tableArn } = resources.table;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TableItems',
        actions: dynamo,
        resources: [tableArn, ...tableDesign.globalSecondaryIndexes.map((gsi) => `${tableArn}/index/${gsi.indexName}`)],
      }),
    );
  }
  const objects = bucketGrants([...kinds]);
  const objectArns = (patterns: string[]) => patterns.map((pattern) => resources.bucket.arnForObjects(pattern));
  if (objects.read.length) {
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadObjects', actions: ['s3:GetObject'], resources: objectArns(objects.read) }));
  }
  if (objects.write.length) {
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'WriteObjects', actions: ['s3:PutObject'], resources: objectArns(objects.write) }));
  }
  const secrets = secretGrants([...kinds]);
  for (const [sid, actions, purposes] of [
    ['SealTenantSecrets', SECRETS_SEAL_ACTIONS, secrets.seal],
    ['OpenTenantSecrets', SECRETS_OPEN_ACTIONS, secrets.open],
  ] as const) {
    if (!purposes.length) continue;
    if (!resources.secretsKey) throw new Error('infra: a function declares secrets access but the stack has no secrets key');
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid,
        actions: [...actions],
        resources: [resources.secretsKey.keyArn],
        conditions: { StringLike: { 'kms:EncryptionContext:purpose': purposes } },
      }),
    );
  }
  for (const item of kinds) {
    switch (item) {
      case 'bus':
        resources.bus.grantPutEventsTo(fn);
        break;
      case 'ses':
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            sid: 'SendMailAsTheConfiguredIdentity',
            actions: ['ses:SendRawEmail', 'ses:SendEmail'],
            resources: sesIdentityArns(fn, settings),
            // pinned to the From address: no display-name trick or header can send as another address (issue 14 §3)
            conditions: { StringEquals: { 'ses:FromAddress': mailAddress(settings.mailFrom)! } },
          }),
        );
        break;
      case 'sns':
        // An SMS is published to a phone number, which has no ARN: sns:Publish needs Resource "*".
        // The Deny takes every topic and endpoint ARN back out, so this role can send SMS and nothing else.
        fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'PublishSmsOnly', actions: ['sns:Publish'], resources: ['*'] }));
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            sid: 'NoTopicsOrEndpoints',
            effect: iam.Effect.DENY,
            actions: ['sns:Publish'],
            resources: [`arn:${Aws.PARTITION}:sns:*:*:*`],
          }),
        );
        break;
      default:
        if (!(tableActions([item]).length || item.startsWith('bucket') || item.startsWith('secrets'))) {
          throw new Error(`infra/functions.ts: unknown access "${String(item)}"`);
        }
    }
  }
}

/** The SES identities the From address may be authorised by: the configured identity, and the address itself. */
function sesIdentityArns(scope: Construct, settings: AppSettings): string[] {
  const stack = Stack.of(scope);
  const identities = new Set([settings.sesIdentity, mailAddress(settings.mailFrom)!]);
  return [...identities].map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }));
}
