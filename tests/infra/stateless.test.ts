import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busRules } from '../../events/rules';
import { functions as declared, parseRoute, type FunctionSpec } from '../../infra/functions';
import { chromiumArchitecture } from '../../infra/constructs/chromium-layer';
import { BUCKET_AREAS, bucketGrants, secretGrants, tableActions } from '../../infra/access';
import { OUTBOX_ENTITY, OUTBOX_ENTITY_ATTRIBUTE } from '../../infra/stacks/stateless-stack';
import { tableDesign } from '../../infra/table-design';
import { actionsOf, assetDir, findCycle, functionsByName, resources, roleStatements, synthApp, PROJECT_ROOT, type Synthesized } from './synth';

const CHROMIUM_BINARY = join(PROJECT_ROOT, 'node_modules', '@sparticuz', 'chromium', 'bin', 'chromium.br');

const specs = declared as Record<string, FunctionSpec>;

/**
 * The app as declared, plus what the declarations do not exercise yet, so every construct path is tested:
 * a stand-in for any bus-rule target not declared yet, a PDF function if none is declared, a scheduled
 * function if none is declared, and a function using the access kinds no declared function uses.
 */
const STAND_IN = 'tests/infra/fixtures/async-handler.ts';
const fixtures: Record<string, FunctionSpec> = {};
for (const target of new Set(busRules.map((r) => r.target))) {
  if (!(target in specs)) fixtures[target] = { entry: STAND_IN, description: `test stand-in for ${target}`, access: [] };
}
if (!Object.values(specs).some((s) => s.pdf)) {
  fixtures.testPdf = { entry: 'tests/infra/fixtures/pdf-handler.ts', description: 'test PDF function', access: ['table', 'bucket'], pdf: true };
}
if (!Object.values(specs).some((s) => s.schedule)) {
  fixtures.testScheduled = { entry: STAND_IN, description: 'test scheduled function', access: ['tableRead'], schedule: 'rate(1 day)' };
}
fixtures.testAccessProbe = { entry: STAND_IN, description: 'test: read-only and messaging grants', access: ['tableRead', 'bucketRead', 'ses', 'sns'] };
const all: Record<string, FunctionSpec> = { ...specs, ...fixtures };

const busTargets = new Set(busRules.map((r) => r.target));
const isAsync = (name: string) => busTargets.has(name) || all[name].stream === true || all[name].schedule !== undefined;
const httpNames = Object.keys(all).filter((name) => all[name].routes?.length);

describe('stateless stack', () => {
  let synth: Synthesized;
  let template: Template;
  let fns: ReturnType<typeof functionsByName>;

  beforeAll(() => {
    synth = synthApp({ functions: all, context: { mailFrom: 'Acme Invoices <invoices@acme.test>', smsSenderId: 'ACME' } });
    template = synth.statelessTemplate;
    fns = functionsByName(template);
  }, 300_000);
  afterAll(() => synth?.cleanup());

  const fn = (name: string) => {
    const found = fns.get(name);
    if (!found) throw new Error(`no function tagged ${name}`);
    return found;
  };

  describe('functions (infra/functions.ts)', () => {
    it('deploys one Lambda function per declared function, and no other', () => {
      expect([...fns.keys()].sort()).toEqual(Object.keys(all).sort());
      template.resourceCountIs('AWS::Lambda::Function', Object.keys(all).length);
    });

    it('runs Node.js 24 on arm64 (PDF functions on the architecture of the Chromium binary), traced', () => {
      for (const name of Object.keys(all)) {
        const props = fn(name).resource.Properties!;
        expect(props.Runtime, name).toBe('nodejs24.x');
        expect(props.Handler, name).toBe('index.handler');
        expect(props.TracingConfig, name).toEqual({ Mode: 'Active' });
        if (!all[name].pdf) expect(props.Architectures, name).toEqual(['arm64']);
      }
    });

    it('gives every function the service environment', () => {
      for (const name of Object.keys(all)) {
        const env = fn(name).resource.Properties!.Environment.Variables;
        for (const key of [
          'TABLE_NAME',
          'BUCKET_NAME',
          'EVENT_BUS_NAME',
          'EVENT_SOURCE',
          'PUBLIC_BASE_URL',
          'MAIL_FROM',
          'POWERTOOLS_SERVICE_NAME',
          'LOG_LEVEL',
        ]) {
          expect(env[key], `${name} ${key}`).toBeDefined();
        }
        expect(env.MAIL_FROM).toBe('Acme Invoices <invoices@acme.test>');
        expect(env.SMS_SENDER_ID).toBe('ACME');
        // PUBLIC_BASE_URL is the HTTP API's own endpoint when no custom domain is configured.
        const apiId = Object.keys(resources(template, 'AWS::ApiGatewayV2::Api'))[0];
        expect(JSON.stringify(env.PUBLIC_BASE_URL), name).toContain(apiId);
      }
    });

    it('honours memoryMb and timeoutSeconds of the declarations', () => {
      for (const [name, spec] of Object.entries(all)) {
        const props = fn(name).resource.Properties!;
        if (spec.memoryMb && !spec.pdf) expect(props.MemorySize, name).toBe(spec.memoryMb);
        if (spec.timeoutSeconds) expect(props.Timeout, name).toBe(spec.timeoutSeconds);
      }
    });

    it('writes logs to a log group with a retention', () => {
      for (const name of Object.keys(all)) {
        const logGroupId = fn(name).resource.Properties!.LoggingConfig?.LogGroup?.Ref;
        expect(logGroupId, name).toBeDefined();
        expect(resources(template)[logGroupId].Properties!.RetentionInDays, name).toBeGreaterThan(0);
      }
    });

    it('gives every asynchronous function (bus target, stream, schedule) a DLQ, and only those', () => {
      const configs = Object.values(resources(template, 'AWS::Lambda::EventInvokeConfig'));
      for (const name of Object.keys(all)) {
        const config = configs.find((c) => c.Properties!.FunctionName.Ref === fn(name).logicalId);
        if (isAsync(name)) {
          const queueId = config?.Properties!.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
          expect(resources(template)[queueId]?.Type, name).toBe('AWS::SQS::Queue');
        } else {
          expect(config, name).toBeUndefined();
        }
      }
    });
  });

  describe('HTTP API', () => {
    it('serves every route of infra/functions.ts, with the function that declares it, and nothing else', () => {
      const routes = Object.values(resources(template, 'AWS::ApiGatewayV2::Route'));
      const integrations = resources(template, 'AWS::ApiGatewayV2::Integration');
      const declaredRoutes = Object.entries(all).flatMap(([name, spec]) => (spec.routes ?? []).map((route) => ({ name, route })));
      expect(routes).toHaveLength(declaredRoutes.length);
      for (const { name, route } of declaredRoutes) {
        const { method, path } = parseRoute(route);
        const found = routes.filter((r) => r.Properties!.RouteKey === `${method} ${path}`);
        expect(found, route).toHaveLength(1);
        const integrationId = JSON.stringify(found[0].Properties!.Target).match(/"Ref":"([^"]+)"/)![1];
        expect(JSON.stringify(integrations[integrationId].Properties!.IntegrationUri), route).toContain(fn(name).logicalId);
      }
    });

    it('lets API Gateway invoke each HTTP function through one permission scoped to this API', () => {
      const apiId = Object.keys(resources(template, 'AWS::ApiGatewayV2::Api'))[0];
      const permissions = Object.values(resources(template, 'AWS::Lambda::Permission')).filter((p) => p.Properties!.Principal === 'apigateway.amazonaws.com');
      expect(permissions).toHaveLength(httpNames.length);
      for (const name of httpNames) {
        const permission = permissions.find((p) => JSON.stringify(p.Properties!.FunctionName).includes(fn(name).logicalId));
        expect(permission, name).toBeDefined();
        expect(JSON.stringify(permission!.Properties!.SourceArn), name).toContain(`{"Ref":"${apiId}"}`);
      }
    });

    it('has a $default stage with throttling defaults and access logs, and no CORS unless configured', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      });
      const api = Object.values(resources(template, 'AWS::ApiGatewayV2::Api'))[0].Properties!;
      expect(api.ProtocolType).toBe('HTTP');
      expect(api.CorsConfiguration).toBeUndefined();
    });
  });

  describe('bus rules (events/rules.ts)', () => {
    it('deploys one rule per entry, same pattern, on the service bus, targeting the named function with retries and a DLQ', () => {
      const rules = Object.values(resources(template, 'AWS::Events::Rule'));
      expect(rules).toHaveLength(busRules.length);
      for (const rule of busRules) {
        const found = rules.filter((r) => JSON.stringify(r.Properties!.EventPattern) === JSON.stringify(rule.pattern));
        expect(found, rule.name).toHaveLength(1);
        const props = found[0].Properties!;
        expect(JSON.stringify(props.EventBusName), rule.name).toMatch(/Bus|crm-invoicing/);
        expect(props.Targets, rule.name).toHaveLength(1);
        const [target] = props.Targets;
        expect(target.Arn, rule.name).toEqual({ 'Fn::GetAtt': [fn(rule.target).logicalId, 'Arn'] });
        expect(target.DeadLetterConfig?.Arn, rule.name).toBeDefined();
        expect(target.RetryPolicy, rule.name).toEqual({ MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) });
      }
    });

    it('lets the bus send to the DLQ, for its rules only', () => {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'sqs:SendMessage',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } },
            }),
          ]),
        },
      });
    });
  });

  describe('table stream', () => {
    const streamNames = () => Object.keys(all).filter((name) => all[name].stream);

    it('feeds every stream function: partial batch failures, bisect, bounded retries, an on-failure queue, outbox INSERTs only', () => {
      expect(streamNames().length).toBeGreaterThan(0);
      const mappings = Object.values(resources(template, 'AWS::Lambda::EventSourceMapping'));
      expect(mappings).toHaveLength(streamNames().length);
      for (const name of streamNames()) {
        const mapping = mappings.find((m) => m.Properties!.FunctionName.Ref === fn(name).logicalId)?.Properties;
        expect(mapping, name).toBeDefined();
        expect(mapping).toMatchObject({
          BisectBatchOnFunctionError: true,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          MaximumRetryAttempts: expect.any(Number),
          MaximumRecordAgeInSeconds: expect.any(Number),
          // a re-created mapping never replays the stream's 24 h of history (issue 16)
          StartingPosition: 'LATEST',
        });
        expect(JSON.stringify(mapping!.EventSourceArn)).toMatch(/StreamArn|Table/);
        const queueId = mapping!.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
        expect(resources(template)[queueId].Type).toBe('AWS::SQS::Queue');
        const filters = mapping!.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern));
        expect(filters).toEqual([{ eventName: ['INSERT'], dynamodb: { NewImage: { [OUTBOX_ENTITY_ATTRIBUTE]: { S: [OUTBOX_ENTITY] } } } }]);
      }
    });

    it('raises an alarm when the stream lags', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Namespace: 'AWS/Lambda' });
    });
  });

  describe('schedules', () => {
    it('invokes every scheduled function from EventBridge Scheduler, with retries and a DLQ', () => {
      const schedules = Object.values(resources(template, 'AWS::Scheduler::Schedule'));
      const scheduled = Object.keys(all).filter((name) => all[name].schedule);
      expect(schedules).toHaveLength(scheduled.length);
      for (const name of scheduled) {
        const schedule = schedules.find((s) => JSON.stringify(s.Properties!.Target.Arn).includes(fn(name).logicalId))?.Properties;
        expect(schedule, name).toBeDefined();
        expect(schedule!.ScheduleExpression).toBe(all[name].schedule);
        expect(schedule!.Target.DeadLetterConfig.Arn).toBeDefined();
        expect(schedule!.Target.RetryPolicy).toBeDefined();
      }
    });
  });

  describe('least privilege (IAM follows the access lists)', () => {
    const STREAM_READ = new Set(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']);
    const allowed = (name: string) =>
      roleStatements(template, fn(name).resource)
        .filter((s) => s.Effect === 'Allow')
        .flatMap(actionsOf);

    it('never grants "*" or a whole service', () => {
      for (const policy of Object.values(resources(template, 'AWS::IAM::Policy'))) {
        for (const statement of policy.Properties!.PolicyDocument.Statement) {
          for (const action of actionsOf(statement)) {
            expect(action).not.toBe('*');
            expect(action).not.toMatch(/^[a-z0-9-]+:\*$/);
          }
        }
      }
    });

    const statementsOf = (name: string) => roleStatements(template, fn(name).resource).filter((s) => s.Effect === 'Allow');
    const dynamoOf = (name: string) =>
      statementsOf(name)
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('dynamodb:') && !(all[name].stream && STREAM_READ.has(a)));

    it('gives each function exactly the DynamoDB actions of its table kinds, and no S3, SES, SNS or EventBridge it did not declare', () => {
      for (const [name, spec] of Object.entries(all)) {
        const access = new Set<string>(spec.access);
        const actions = allowed(name);
        expect(new Set(dynamoOf(name)), name).toEqual(new Set(tableActions(spec.access)));
        const { read, write } = bucketGrants(spec.access);
        expect(actions.filter((a) => a.startsWith('s3:')).sort(), name).toEqual([
          ...(read.length ? ['s3:GetObject'] : []),
          ...(write.length ? ['s3:PutObject'] : []),
        ]);
        if (!access.has('ses'))
          expect(
            actions.filter((a) => a.startsWith('ses:')),
            name,
          ).toEqual([]);
        if (!access.has('sns'))
          expect(
            actions.filter((a) => a.startsWith('sns:')),
            name,
          ).toEqual([]);
        if (!access.has('bus'))
          expect(
            actions.filter((a) => a.startsWith('events:')),
            name,
          ).toEqual([]);
        if (access.has('bus')) expect(actions, name).toContain('events:PutEvents');
      }
    });

    it('never grants DescribeTable, nor Scan or BatchWriteItem to a function that did not declare tableScan or tableBatchWrite, nor any index but the declared ones', () => {
      const indexes = tableDesign.globalSecondaryIndexes.map((gsi) => `/index/${gsi.indexName}`);
      for (const [name, spec] of Object.entries(all)) {
        const actions = dynamoOf(name);
        expect(actions, name).not.toContain('dynamodb:DescribeTable');
        if (!spec.access.includes('tableScan')) expect(actions, name).not.toContain('dynamodb:Scan');
        if (!spec.access.includes('tableBatchWrite')) expect(actions, name).not.toContain('dynamodb:BatchWriteItem');
        for (const statement of statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:') && !STREAM_READ.has(a)))) {
          for (const arn of [statement.Resource].flat().map((r) => JSON.stringify(r))) {
            expect(arn, name).not.toMatch(/index\/\*/);
            if (arn.includes('/index/'))
              expect(
                indexes.some((i) => arn.includes(`${i}"`)),
                `${name} ${arn}`,
              ).toBe(true);
          }
        }
      }
    });

    it("lets only the functions that declared secrets access use the secrets key, each only under its area's purpose, and tells them the key", () => {
      for (const [name, spec] of Object.entries(all)) {
        const { seal, open } = secretGrants(spec.access);
        const kms = statementsOf(name).filter((st) => actionsOf(st).some((a) => a.startsWith('kms:')));
        const env = fn(name).resource.Properties!.Environment?.Variables ?? {};
        if (!seal.length && !open.length) {
          expect(kms, name).toEqual([]);
          expect(env.SECRETS_KMS_KEY_ID, name).toBeUndefined();
          continue;
        }
        expect(env.SECRETS_KMS_KEY_ID, name).toBeDefined();
        const purposesOf = (action: string) =>
          kms.filter((st) => actionsOf(st).includes(action)).flatMap((st) => [(st.Condition as any)?.StringLike?.['kms:EncryptionContext:purpose']].flat());
        expect(purposesOf('kms:Encrypt'), name).toEqual(seal);
        expect(purposesOf('kms:Decrypt'), name).toEqual(open);
        expect(
          kms.flatMap(actionsOf).filter((a) => a !== 'kms:Encrypt' && a !== 'kms:Decrypt'),
          name,
        ).toEqual([]);
      }
      expect(secretGrants(all.webhooks.access)).toEqual({ seal: ['idempotent-answer', 'webhooks.*'], open: ['idempotent-answer', 'webhooks.*'] });
      expect(secretGrants(all.apiKeys.access)).toEqual({ seal: ['idempotent-answer'], open: ['idempotent-answer'] });
      expect(secretGrants(all.sweepWebhooks.access)).toEqual({ seal: [], open: ['webhooks.*'] });
      expect(secretGrants(all.deliverWebhooks.access)).toEqual({ seal: [], open: ['webhooks.*'] });
    });

    it('retries webhook deliveries from a schedule every minute, and fans events out from a bus rule', () => {
      expect(all.sweepWebhooks.schedule).toBe('rate(1 minute)');
      expect(busRules.find((r) => r.target === 'deliverWebhooks')?.pattern['detail-type']).toEqual(
        expect.arrayContaining(['invoice.paid', 'payment.recorded', 'quote.accepted', 'webhook.replay_requested']),
      );
      for (const internal of ['document.requested', 'automation.run_retried'])
        expect(busRules.find((r) => r.target === 'deliverWebhooks')?.pattern['detail-type']).not.toContain(internal);
    });

    it('grants BatchWriteItem to the payments function only (the statement import batch-puts its rows)', () => {
      const batchWriters = Object.keys(all).filter((name) => dynamoOf(name).includes('dynamodb:BatchWriteItem'));
      expect(batchWriters).toEqual(['payments']);
    });

    it('lets the unauthenticated public-links function read and write items but never Scan, BatchWrite or Delete', () => {
      const actions = dynamoOf('publicLinks');
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:PutItem']));
      for (const forbidden of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem']) expect(actions).not.toContain(forbidden);
    });

    it('lets each function reach only the S3 areas it declared: the renderer writes PDFs under documents/ and nothing else', () => {
      const objectArns = (name: string, action: string) =>
        statementsOf(name)
          .filter((s) => actionsOf(s).includes(action))
          .flatMap((s) => [s.Resource].flat())
          .map((r) => JSON.stringify(r));
      // The bucket ARN comes from the stateful stack: {"Fn::Join":["",[<bucket ARN>,"/<pattern>"]]}
      const prefixes = (arns: string[]) => arns.map((arn) => /,"\/([^"]*)"\]\]\}$/.exec(arn)?.[1] ?? arn).sort();
      for (const [name, spec] of Object.entries(all)) {
        const { read, write } = bucketGrants(spec.access);
        expect(prefixes(objectArns(name, 's3:GetObject')), name).toEqual(read);
        expect(prefixes(objectArns(name, 's3:PutObject')), name).toEqual(write);
      }
      expect(prefixes(objectArns('renderDocument', 's3:PutObject'))).toEqual([BUCKET_AREAS.documents]);
      expect(prefixes(objectArns('publicLinks', 's3:PutObject'))).toEqual([BUCKET_AREAS.signatures]);
    });

    it('lets a function write logs to its own log group only (no AWSLambdaBasicExecutionRole)', () => {
      for (const name of Object.keys(all)) {
        const props = fn(name).resource.Properties!;
        const role = resources(template)[props.Role['Fn::GetAtt'][0]];
        expect(role.Properties!.ManagedPolicyArns, name).toBeUndefined();
        const logs = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
        expect(logs, name).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [props.LoggingConfig.LogGroup.Ref, 'Arn'] } })]);
      }
    });

    it('gives a function with access [] no data access at all', () => {
      const empty = Object.keys(all).filter((name) => all[name].access.length === 0 && !all[name].stream);
      expect(empty.length).toBeGreaterThan(0);
      for (const name of empty) {
        expect(
          allowed(name).filter((a) => /^(dynamodb|s3|ses|sns|events|kms):/.test(a)),
          name,
        ).toEqual([]);
      }
    });

    it('keeps read-only grants read-only', () => {
      for (const [name, spec] of Object.entries(all)) {
        const actions = allowed(name);
        if (spec.access.includes('tableRead') && !spec.access.includes('table')) {
          expect(
            actions.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite|TransactWrite)/.test(a)),
            name,
          ).toEqual([]);
        }
        if (bucketGrants(spec.access).write.length === 0) {
          expect(
            actions.filter((a) => /^s3:(Put|Delete|Abort)/.test(a)),
            name,
          ).toEqual([]);
        }
      }
    });

    it('lets ses functions send only as the configured identity', () => {
      for (const [name, spec] of Object.entries(all)) {
        if (!spec.access.includes('ses')) continue;
        const ses = roleStatements(template, fn(name).resource).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
        expect(ses, name).toHaveLength(1);
        expect(actionsOf(ses[0]).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
        const arns = JSON.stringify(ses[0].Resource);
        expect(arns).toContain(':identity/acme.test');
        expect(arns).toContain(':identity/invoices@acme.test');
        expect(arns).not.toContain('"*"');
      }
    });

    it('lets sns functions publish SMS (Resource "*") but never to a topic or endpoint', () => {
      for (const [name, spec] of Object.entries(all)) {
        if (!spec.access.includes('sns')) continue;
        const sns = roleStatements(template, fn(name).resource).filter((s) => actionsOf(s).includes('sns:Publish'));
        expect(sns, name).toContainEqual(expect.objectContaining({ Effect: 'Allow', Resource: '*' }));
        const deny = sns.find((s) => s.Effect === 'Deny');
        expect(JSON.stringify(deny?.Resource), name).toMatch(/:sns:\*:\*:\*/);
      }
    });
  });

  describe('bundles', () => {
    const bundle = (name: string) => readFileSync(join(assetDir(synth.outdir, fn(name).resource), 'index.mjs'), 'utf8');

    it('are ESM with a require shim, minified, with a source map, without the AWS SDK', () => {
      for (const name of Object.keys(all)) {
        const dir = assetDir(synth.outdir, fn(name).resource);
        const code = bundle(name);
        expect(code.startsWith("import { createRequire as __crmCreateRequire } from 'node:module'"), name).toBe(true);
        expect(existsSync(join(dir, 'index.mjs.map')), name).toBe(true);
        // Service protocol names only exist in the SDK's own code: it is external, not bundled.
        expect(code, name).not.toMatch(/DynamoDB_20120810|AmazonEventBridge\.PutEvents/);
        // @sparticuz/chromium's own code (it inflates chromium.br) is never bundled, not even in PDF functions.
        expect(code, name).not.toContain('chromium.br');
      }
    });

    it('of HTTP functions (and every other non-PDF function) never include Chromium or puppeteer', () => {
      expect(httpNames.length).toBeGreaterThan(0);
      for (const name of Object.keys(all).filter((n) => !all[n].pdf)) {
        const dir = assetDir(synth.outdir, fn(name).resource);
        const code = bundle(name);
        expect(code, name).not.toContain('@sparticuz/chromium');
        expect(code, name).not.toContain('puppeteer');
        // besides the code, only the files a function declares (the API reference viewer of the health function)
        const extra = [...new Set(Object.values((all[name] as { files?: Record<string, string> }).files ?? {}).map((to) => to.split('/')[0]!))];
        expect(readdirSync(dir).sort(), name).toEqual(['index.mjs', 'index.mjs.map', ...extra].sort());
      }
    });

    it('ship the API reference viewer beside the health bundle, not in it (/docs serves it; no CDN)', () => {
      const dir = assetDir(synth.outdir, fn('health').resource);
      expect(readdirSync(join(dir, 'docs-viewer')).sort()).toEqual(['LICENSE', 'openapi.json', 'swagger-ui-bundle.js', 'swagger-ui.css']);
      // the OpenAPI document is a file read at run time, not bundled code (the bundle does not grow with the API)
      expect(JSON.parse(readFileSync(join(dir, 'docs-viewer', 'openapi.json'), 'utf8')).openapi).toBe('3.1.0');
      expect(bundle('health')).not.toContain('The catalogue lines are priced from');
      expect(statSync(join(dir, 'docs-viewer', 'swagger-ui-bundle.js')).size).toBeGreaterThan(500_000);
      expect(bundle('health')).not.toContain('SwaggerUIBundle=');
      const routeKeys = Object.values(resources(template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties!.RouteKey);
      expect(routeKeys).toEqual(expect.arrayContaining(['ANY /{proxy+}', 'GET /docs', 'GET /docs/swagger-ui.js']));
    });

    it("of HTTP functions are at most 400 KB minified (Chromium functions exempt): each bundles only its own area's adapters", () => {
      const sizes = Object.fromEntries(
        httpNames.filter((name) => !all[name].pdf).map((name) => [name, statSync(join(assetDir(synth.outdir, fn(name).resource), 'index.mjs')).size]),
      );
      const over = Object.entries(sizes)
        .filter(([, size]) => size > 400 * 1024)
        .map(([name, size]) => `${name}: ${Math.round(size / 1024)} KB`);
      expect(over).toEqual([]);
    });

    it('keep the catalogues UTF-8, not escaped (\\u0421 is 6 bytes a letter)', () => {
      const quotes = readFileSync(join(assetDir(synth.outdir, fn('quotes').resource), 'index.mjs'), 'utf8');
      expect(quotes).toContain('Коммерческое предложение');
    });

    it('leave ElectroDB and nodemailer to the shared layer, which every non-PDF function has', () => {
      const layers = resources(template, 'AWS::Lambda::LayerVersion');
      for (const name of Object.keys(all).filter((n) => !all[n].pdf)) {
        const props = fn(name).resource.Properties!;
        expect(props.Layers, name).toHaveLength(1);
        expect(String(layers[props.Layers[0].Ref]?.Properties!.Description), name).toMatch(/electrodb.*nodemailer/);
        expect(bundle(name), name).not.toMatch(/ElectroError|MailComposer/);
      }
    });

    it('load in Node.js 24 and export a handler (as the runtime would import them)', () => {
      for (const name of Object.keys(all)) {
        const dir = assetDir(synth.outdir, fn(name).resource);
        const script = `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)}); if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); }`;
        const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 30_000,
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'eu-west-1',
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            TABLE_NAME: 'crm-test',
            BUCKET_NAME: 'crm-test-documents',
            EVENT_BUS_NAME: 'crm-invoicing-test',
            EVENT_SOURCE: 'crm.invoicing',
            PUBLIC_BASE_URL: 'https://api.example.test',
            MAIL_FROM: 'invoices@example.test',
            POWERTOOLS_SERVICE_NAME: 'crm-invoicing',
            LOG_LEVEL: 'ERROR',
          },
        });
        expect({ name, status: result.status, stderr: result.stderr.slice(0, 2000) }).toEqual({ name, status: 0, stderr: expect.any(String) });
      }
    }, 300_000);
  });

  describe('PDF functions', () => {
    const pdfNames = () => Object.keys(all).filter((name) => all[name].pdf);

    it('get at least 2048 MB, 60 s unless declared otherwise, and the Chromium layer on the same architecture', () => {
      expect(pdfNames().length).toBeGreaterThan(0);
      const layers = resources(template, 'AWS::Lambda::LayerVersion');
      for (const name of pdfNames()) {
        const props = fn(name).resource.Properties!;
        expect(props.MemorySize, name).toBeGreaterThanOrEqual(2048);
        expect(props.Timeout, name).toBe(all[name].timeoutSeconds ?? 60);
        expect(props.Architectures, name).toEqual([chromiumArchitecture(CHROMIUM_BINARY)]);
        expect(props.Layers, name).toHaveLength(1);
        const layer = layers[props.Layers[0].Ref];
        expect(layer, name).toBeDefined();
        expect(layer.Properties!.CompatibleRuntimes).toEqual(['nodejs24.x']);
        expect(layer.Properties!.CompatibleArchitectures).toEqual(props.Architectures);
      }
    });

    it('bundle the renderer but leave @sparticuz/chromium to the layer, and ship templates and fonts', () => {
      for (const name of pdfNames()) {
        const dir = assetDir(synth.outdir, fn(name).resource);
        const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
        expect(code, name).toMatch(/from\s*"@sparticuz\/chromium"/);
        expect(existsSync(join(dir, 'node_modules', '@sparticuz')), name).toBe(false);
        expect(existsSync(join(dir, 'templates', 'invoice', 'invoice.hbs')), name).toBe(true);
        const fonts = readdirSync(join(dir, 'node_modules', '@fontsource', 'noto-sans', 'files'));
        expect(fonts, name).toContain('noto-sans-latin-400-normal.woff2');
        expect(fonts, name).toContain('noto-sans-cyrillic-700-normal.woff2');
      }
    });

    it('have a layer holding @sparticuz/chromium and its runtime dependencies under nodejs/node_modules', () => {
      const layerIds = new Set(pdfNames().map((name) => fn(name).resource.Properties!.Layers[0].Ref));
      expect(layerIds.size).toBe(1);
      const layer = resources(template)[[...layerIds][0]];
      const dir = join(synth.outdir, `asset.${(layer.Properties!.Content.S3Key as string).replace(/\.zip$/, '')}`);
      const modules = join(dir, 'nodejs', 'node_modules');
      expect(existsSync(join(modules, '@sparticuz', 'chromium', 'bin', 'chromium.br'))).toBe(true);
      const chromium = JSON.parse(readFileSync(join(modules, '@sparticuz', 'chromium', 'package.json'), 'utf8'));
      for (const dep of Object.keys(chromium.dependencies ?? {})) {
        expect(existsSync(join(modules, dep, 'package.json')), dep).toBe(true);
      }
      expect(existsSync(join(modules, 'puppeteer-core'))).toBe(false);
    });
  });

  describe('the template', () => {
    it('has no dependency cycle (CloudFormation would refuse to deploy it)', () => {
      expect(findCycle(template)).toBeUndefined();
      expect(findCycle(synth.statefulTemplate)).toBeUndefined();
    });

    it('only references the stateful stack, never the other way round', () => {
      expect(JSON.stringify(synth.statefulTemplate.toJSON())).not.toMatch(/stateless/i);
      expect(synth.stateless.dependencies.map((s) => s.stackName)).toEqual([synth.stateful.stackName]);
    });

    it('pages an alarm topic on every DLQ and on API 5xx', () => {
      const queues = Object.keys(resources(template, 'AWS::SQS::Queue'));
      const alarms = Object.values(resources(template, 'AWS::CloudWatch::Alarm'));
      for (const queueId of queues) {
        const alarm = alarms.find((a) => JSON.stringify(a.Properties!.Dimensions ?? []).includes(queueId));
        expect(alarm, queueId).toBeDefined();
        expect(alarm!.Properties!.AlarmActions).toHaveLength(1);
      }
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5xx', Namespace: 'AWS/ApiGateway' });
    });

    it('has no synthesis warnings or errors', () => {
      Annotations.fromStack(synth.stateless).hasNoWarning('*', Match.anyValue());
      Annotations.fromStack(synth.stateless).hasNoError('*', Match.anyValue());
    });
  });
});

describe('bus rules whose target is not declared', () => {
  // No functions at all: nothing to bundle, so this synthesis is cheap.
  it('are skipped with a warning on a dev stage', () => {
    const synth = synthApp({ functions: {} });
    try {
      synth.statelessTemplate.resourceCountIs('AWS::Events::Rule', 0);
      for (const rule of busRules) {
        Annotations.fromStack(synth.stateless).hasWarning('*', Match.stringLikeRegexp(`rule "${rule.name}" targets "${rule.target}"`));
      }
    } finally {
      synth.cleanup();
    }
  });

  it('fail synthesis on the prod stage', () => {
    expect(() => synthApp({ functions: {}, context: { stage: 'prod' } })).toThrow(new RegExp(`rule "${busRules[0].name}" targets`));
  });
});

describe('stage settings in the stateless stack', () => {
  // One small stand-in function: cheap to bundle.
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthApp({
      functions: { probe: { entry: STAND_IN, description: 'probe', access: [], routes: ['GET /probe'] } },
      busRules: [],
      context: {
        corsOrigins: 'https://app.acme.test',
        publicBaseUrl: 'https://api.acme.test/',
        alarmEmail: 'ops@acme.test',
        apiRateLimit: 7,
        apiBurstLimit: 9,
      },
    });
  }, 120_000);
  afterAll(() => synth?.cleanup());

  it('gives the functions a custom-domain PUBLIC_BASE_URL when one is configured', () => {
    const probe = functionsByName(synth.statelessTemplate).get('probe')!;
    expect(probe.resource.Properties!.Environment.Variables.PUBLIC_BASE_URL).toBe('https://api.acme.test');
  });

  it('turns CORS on for the configured origins only', () => {
    synth.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://app.acme.test'] }),
    });
  });

  it('applies the configured throttling', () => {
    synth.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 },
    });
  });

  it('subscribes the alarm e-mail to the alarm topic', () => {
    synth.statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@acme.test' });
  });
});
