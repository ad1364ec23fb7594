/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  let e = error as { name?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (e.name === 'ConditionalCheckFailedException' || e.name === 'TransactionCanceledException') return true;
    if (typeof e.message === 'string' && /conditional request failed/i.test(e.message)) return true;
  }
  return false;
}

export function isInvalidCursor(error: unknown): boolean {
  let e = error as { name?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (typeof e.message === 'string' && /(cursor|ExclusiveStartKey|starting key)/i.test(e.message)) return true;
  }
  return false;
}
