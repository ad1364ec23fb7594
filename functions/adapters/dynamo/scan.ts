import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Every item of an ElectroDB entity on the table that matches `filter` (a Scan, page after page): the operator
 * scripts' read (migrations). Never a function's: Scan reads the whole table. `T`: the items as the caller knows them.
 */
export async function* scanEntityItems<T extends Record<string, unknown>>(
  client: DynamoDBDocumentClient,
  table: string,
  entity: string,
  filter: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> },
): AsyncGenerator<T> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: `#edbEntity = :edbEntity AND (${filter.expression})`,
        ExpressionAttributeNames: { '#edbEntity': '__edb_e__', ...filter.names },
        ExpressionAttributeValues: { ':edbEntity': entity, ...filter.values },
        ExclusiveStartKey,
      }),
    );
    yield* (page.Items ?? []) as T[];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}
