import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';

/**
 * Idempotency-Key support, by AWS Lambda Powertools' idempotency utility and its DynamoDB
 * persistence, kept in the service's single table.
 * Powertools puts every record under one static partition when the table has a sort key;
 * the override below spreads records over partitions by their (hashed) key instead.
 */
class SingleTablePersistence extends DynamoDBPersistenceLayer {
  protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
    return { pk: { S: `IDEMPOTENCY#${idempotencyKey}` }, sk: { S: 'IDEMPOTENCY' } };
  }
}

export interface IdempotentRequest {
  /** tenant + route + the caller's Idempotency-Key: what makes two requests "the same". */
  scope: string;
  key: string;
  /** What must be identical for a replay (the body); another payload with the same key is refused. */
  payload: unknown;
}

export type IdempotentRunner = <R>(request: IdempotentRequest, fn: () => Promise<R>, context?: Context) => Promise<R>;

export function createIdempotency(client: DynamoDBClient, tableName: string, ttlSeconds: number): IdempotentRunner {
  const persistenceStore = new SingleTablePersistence({
    tableName,
    awsSdkV3Client: client,
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    expiryAttr: 'ttl',
    inProgressExpiryAttr: 'inProgressUntil',
    statusAttr: 'idemStatus',
    dataAttr: 'idemData',
    validationKeyAttr: 'idemValidation',
  });
  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: '[scope, key]',
    payloadValidationJmesPath: 'payload',
    expiresAfterSeconds: ttlSeconds,
    throwOnNoIdempotencyKey: true,
  });
  const run = makeIdempotent(async (request: IdempotentRequest & { fn: () => Promise<unknown> }) => request.fn(), {
    persistenceStore,
    config: idempotencyConfig,
  });
  return async <R>(request: IdempotentRequest, fn: () => Promise<R>, context?: Context) => {
    // With the invocation's deadline, a request that dies mid-way frees its key when the Lambda
    // would have timed out, instead of blocking retries until the record expires.
    if (context) idempotencyConfig.registerLambdaContext(context);
    return (await run({ ...request, fn })) as R;
  };
}
