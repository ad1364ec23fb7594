import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, QuotaExceeded, type FieldError } from '../../domain/kernel';
import { logger } from '../logger';

const statusByKind: Record<string, [number, string]> = {
  invalid_input: [400, 'Invalid request'],
  unauthenticated: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  not_found: [404, 'Not found'],
  conflict: [409, 'Conflict'],
  payload_too_large: [413, 'Payload too large'],
  quota_exceeded: [429, 'Too many requests'],
  rule_violation: [422, 'Unprocessable request'],
  unavailable: [503, 'Service unavailable'],
};

export function problem(
  status: number,
  title: string,
  detail: string,
  errors: FieldError[] = [],
  extra: Record<string, unknown> = {},
): APIGatewayProxyStructuredResultV2 {
  const type = `https://docs.crm-invoicing.dev/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json' },
    // extras never override the standard members
    body: JSON.stringify({ ...extra, type, title, status, detail, errors }),
  };
}

/** The one place that turns an error into an HTTP answer. 5xx details never reach the caller. */
export function toProblem(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (error instanceof DomainError) {
    const [status, title] = statusByKind[error.kind] ?? [400, 'Bad request'];
    // a 503 is logged with its cause (a secret that does not open: `reason` names the key)
    if (status > 500) logger.warn('unavailable', { error, reason: (error as { reason?: string }).reason });
    const answer = problem(status, title, error.message, error.errors, error.extra);
    if (error instanceof QuotaExceeded) answer.headers = { ...answer.headers, 'retry-after': String(error.retryAfterSeconds) };
    return answer;
  }
  logger.error('unhandled error', { error: error as Error });
  return problem(500, 'Internal error', 'something went wrong on our side; it has been logged');
}
