/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  let e = error as { name?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (e.name === 'ConditionalCheckFailedException' || e.name === 'TransactionCanceledException') return true;
    if (typeof e.message === 'string' && /conditional request failed/i.test(e.message)) return true;
  }
  return false;
}

/** Runs a conditioned write: true when it was written, false when its condition did not hold (any other error is thrown). */
export async function conditionHeld(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export function isInvalidCursor(error: unknown): boolean {
  let e = error as { name?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (typeof e.message === 'string' && /(cursor|ExclusiveStartKey|starting key)/i.test(e.message)) return true;
  }
  return false;
}
