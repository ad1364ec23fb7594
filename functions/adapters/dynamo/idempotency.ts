import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { Conflict, onFirstUse, RuleViolation } from '../../domain/kernel';

/**
 * Idempotency-Key support, by AWS Lambda Powertools' idempotency utility and its DynamoDB
 * persistence, kept in the service's single table.
 * Powertools puts every record under one static partition when the table has a sort key;
 * the override below spreads records over partitions by their (hashed) key instead.
 *
 * The utility (with its JMESPath engine, ~50 KB) is in the shared layer, not in the bundles
 * (infra/constructs/deps-layer.ts), and loads on the first request that carries an Idempotency-Key: a cold
 * start that serves a GET never pays for it.
 */
const utility = onFirstUse<typeof import('@aws-lambda-powertools/idempotency')>('@aws-lambda-powertools/idempotency');
const dynamoPersistence = onFirstUse<typeof import('@aws-lambda-powertools/idempotency/dynamodb')>('@aws-lambda-powertools/idempotency/dynamodb');

function loadPowertools() {
  const { IdempotencyConfig, makeIdempotent } = utility();
  const { DynamoDBPersistenceLayer } = dynamoPersistence();
  class SingleTablePersistence extends DynamoDBPersistenceLayer {
    protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
      return { pk: { S: `IDEMPOTENCY#${idempotencyKey}` }, sk: { S: 'IDEMPOTENCY' } };
    }
  }
  return { IdempotencyConfig, makeIdempotent, SingleTablePersistence };
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
  let made: ReturnType<typeof make> | undefined;
  const make = async () => {
    const { IdempotencyConfig, makeIdempotent, SingleTablePersistence } = loadPowertools();
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
    return { run, idempotencyConfig };
  };
  return async <R>(request: IdempotentRequest, fn: () => Promise<R>, context?: Context) => {
    made ??= make().catch((error) => {
      made = undefined; // a failed load is tried again by the next request
      throw error;
    });
    const { run, idempotencyConfig } = await made;
    // With the invocation's deadline, a request that dies mid-way frees its key when the Lambda
    // would have timed out, instead of blocking retries until the record expires.
    if (context) idempotencyConfig.registerLambdaContext(context);
    try {
      return (await run({ ...request, fn })) as R;
    } catch (error) {
      throw asDomainError(error);
    }
  };
}

/**
 * The utility's refusals in the domain's words (told apart by name: the utility loads from the layer, so its
 * classes are not the ones a static import would see): another body under a key is a 422, a key whose first
 * request still runs a 409. Anything else (the handler's own errors included) passes as it is.
 */
function asDomainError(error: unknown): unknown {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'IdempotencyValidationError') {
    return new RuleViolation('this Idempotency-Key was used with another request body', [
      { field: 'Idempotency-Key', message: 'already used with a different body' },
    ]);
  }
  if (name === 'IdempotencyAlreadyInProgressError') {
    return new Conflict('a request with this Idempotency-Key is still in progress; retry shortly', [{ field: 'Idempotency-Key', message: 'in progress' }]);
  }
  return error;
}
