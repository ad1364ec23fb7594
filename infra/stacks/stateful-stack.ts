import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../events/envelope';
import { tableDesign } from '../table-design';
import type { AppSettings } from './settings';

export interface StatefulStackProps extends StackProps {
  settings: AppSettings;
}

/** Objects under this prefix are scratch space (render inputs, uploads in progress): gone after a day. */
export const TMP_PREFIX = 'tmp/';

/**
 * What holds data: the single DynamoDB table (infra/table-design.ts), the documents bucket and the event bus.
 * Kept apart from the stateless stack so that one can be destroyed and redeployed freely while this one is
 * retained (RETAIN everywhere, deletion protection and termination protection on a production stage).
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
  /** Where S3 writes the documents bucket's server access logs (who fetched or wrote which object, when). */
  readonly accessLogs: s3.Bucket;
  readonly bus: events.EventBus;
  /**
   * Seals tenant secrets (webhook signing secrets, card provider keys) stored in the table: data, so it lives
   * here, retained. Its default key policy delegates to IAM (the account root), so the stateless roles are
   * granted in their own policies (infra/access.ts `secretsSeal:` / `secretsOpen:`) and this stack never names them.
   */
  readonly secretsKey: kms.Key;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    const { settings, ...stackProps } = props;
    super(scope, id, { terminationProtection: settings.deletionProtection, ...stackProps });

    const key = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: key(tableDesign.partitionKey),
      sortKey: key(tableDesign.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: tableDesign.timeToLiveAttribute,
      deletionProtection: settings.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const gsi of tableDesign.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: key(gsi.partitionKey),
        sortKey: key(gsi.sortKey),
        // ElectroDB reads whole items from its indexes.
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // Server access logs of the documents bucket: every presigned download of a client's PDF, every write.
    // S3 log delivery needs SSE-S3 and writes through the bucket policy (objectOwnership enforced).
    this.accessLogs = new s3.Bucket(this, 'DocumentsAccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(settings.isProduction ? 400 : 90) }],
    });

    this.bucket = new s3.Bucket(this, 'Documents', {
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'documents/',
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3-managed keys: a KMS key here would put the stateless functions' grants into this stack's key
      // policy (a cross-stack cycle) for no gain in who can read the objects.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-tmp',
          prefix: TMP_PREFIX,
          expiration: Duration.days(1),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: `crm-invoicing-${settings.stage}: tenant secrets (encryption context: tenantId, purpose)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `crm-invoicing-${settings.stage}` });
    // Every domain event is kept for replay (a consumer fixed after a bug can be fed the events it missed).
    this.bus.archive('Archive', {
      description: `Domain events of crm-invoicing-${settings.stage}`,
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(settings.isProduction ? 365 : 30),
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'DocumentsBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
  }
}
