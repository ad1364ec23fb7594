/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  let e: any = error;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause) {
    if (e.name === 'ConditionalCheckFailedException' || e.name === 'TransactionCanceledException') return true;
    if (typeof e.message === 'string' && /conditional request failed/i.test(e.message)) return true;
  }
  return false;
}

export function isInvalidCursor(error: unknown): boolean {
  let e: any = error;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause) {
    if (typeof e.message === 'string' && /(cursor|ExclusiveStartKey|starting key)/i.test(e.message)) return true;
  }
  return false;
}
