import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../events/envelope';
import { readSettings } from '../../infra/stacks/settings';
import { StatefulStack, TMP_PREFIX } from '../../infra/stacks/stateful-stack';
import { tableDesign } from '../../infra/table-design';
import { cdkJsonContext, resources } from './synth';

// The stateful stack bundles nothing, so each context gets its own cheap synthesis.
function statefulTemplate(context: Record<string, unknown> = {}): { template: Template; stack: StatefulStack } {
  const app = new App({ context: { ...cdkJsonContext, ...context } });
  const settings = readSettings(app.node, {});
  const stack = new StatefulStack(app, `crm-invoicing-${settings.stage}-stateful`, { settings });
  return { template: Template.fromStack(stack), stack };
}

describe('stateful stack', () => {
  let template: Template;
  beforeAll(() => {
    template = statefulTemplate().template;
  }, 120_000);

  describe('table (infra/table-design.ts)', () => {
    it('is one on-demand table with point-in-time recovery, a NEW_AND_OLD_IMAGES stream and TTL on ttl', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: tableDesign.timeToLiveAttribute, Enabled: true },
      });
    });

    it('is retained when removed from the stack or replaced', () => {
      template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    it('has the key schema and GSIs of the table design, with whole items projected', () => {
      const table = Object.values(resources(template, 'AWS::DynamoDB::Table'))[0].Properties!;
      expect(table.KeySchema).toEqual([
        { AttributeName: tableDesign.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDesign.sortKey, KeyType: 'RANGE' },
      ]);
      const expectedGsis = tableDesign.globalSecondaryIndexes.map((gsi) => ({
        IndexName: gsi.indexName,
        KeySchema: [
          { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
          { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      }));
      expect(table.GlobalSecondaryIndexes).toEqual(expectedGsis);
      const keyNames = [tableDesign.partitionKey, tableDesign.sortKey, ...tableDesign.globalSecondaryIndexes.flatMap((gsi) => [gsi.partitionKey, gsi.sortKey])];
      expect([...table.AttributeDefinitions].sort((a: any, b: any) => a.AttributeName.localeCompare(b.AttributeName))).toEqual(
        keyNames.sort().map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      );
    });
  });

  describe('deletion protection', () => {
    it('is off by default on a dev stage', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    });

    it('is on by default on the prod stage, with termination protection of the stack', () => {
      const { template: prod, stack } = statefulTemplate({ stage: 'prod' });
      prod.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
      expect(stack.terminationProtection).toBe(true);
    });

    it('follows the deletionProtection context value either way', () => {
      statefulTemplate({ deletionProtection: 'true' }).template.hasResourceProperties('AWS::DynamoDB::Table', {
        DeletionProtectionEnabled: true,
      });
      statefulTemplate({ stage: 'prod', deletionProtection: false }).template.hasResourceProperties('AWS::DynamoDB::Table', {
        DeletionProtectionEnabled: false,
      });
    });
  });

  describe('documents bucket', () => {
    const documentsBucket = () => {
      const { stack } = statefulTemplate();
      return Object.values(resources(template, 'AWS::S3::Bucket')).find(
        (b) =>
          b.Properties!.VersioningConfiguration &&
          JSON.stringify(b.Properties!.LoggingConfiguration ?? {}).includes(stack.getLogicalId(stack.accessLogs.node.defaultChild as never)),
      )!.Properties!;
    };

    it('is private: every public access block on, owner-enforced objects (and so is its access log bucket)', () => {
      template.resourceCountIs('AWS::S3::Bucket', 2);
      template.allResourcesProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
    });

    it('is encrypted at rest and versioned, and retained', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: Match.stringLikeRegexp('AES256|aws:kms') } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
      template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    it('refuses every request that is not over TLS', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('logs every request to its own access log bucket, which is encrypted with S3 keys (what log delivery needs), TLS-only and expires its logs', () => {
      const bucket = documentsBucket();
      expect(bucket.LoggingConfiguration.LogFilePrefix).toBe('documents/');
      const logs = Object.values(resources(template, 'AWS::S3::Bucket')).find((b) => b.Properties !== bucket)!.Properties!;
      expect(logs.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      expect(logs.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' }));
      expect(Object.values(resources(template, 'AWS::S3::BucketPolicy'))).toHaveLength(2);
    });

    it(`expires ${TMP_PREFIX} objects after a day and aborts incomplete multipart uploads`, () => {
      const bucket = documentsBucket();
      const rules = bucket.LifecycleConfiguration.Rules as Record<string, any>[];
      expect(rules).toContainEqual(expect.objectContaining({ Prefix: TMP_PREFIX, ExpirationInDays: 1, Status: 'Enabled' }));
      expect(rules).toContainEqual(expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }));
      // Only tmp/ expires: nothing else in the bucket has an expiration.
      expect(rules.filter((r) => r.ExpirationInDays !== undefined).every((r) => r.Prefix === TMP_PREFIX)).toBe(true);
    });
  });

  describe('event bus', () => {
    it('is named crm-invoicing-<stage>', () => {
      template.hasResourceProperties('AWS::Events::EventBus', { Name: 'crm-invoicing-dev' });
      statefulTemplate({ stage: 'staging' }).template.hasResourceProperties('AWS::Events::EventBus', { Name: 'crm-invoicing-staging' });
    });

    it('archives the service events for replay', () => {
      template.hasResourceProperties('AWS::Events::Archive', {
        EventPattern: { source: [EVENT_SOURCE] },
        RetentionDays: Match.anyValue(),
      });
    });
  });
});
