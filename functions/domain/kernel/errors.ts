/**
 * Domain errors. They say what went wrong in the domain's words and carry no HTTP status;
 * functions/shared/http/problem.ts maps them to problem+json responses in one place.
 */
export interface FieldError {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: string;
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is malformed: wrong JSON, wrong types, unknown or missing fields. */
export class InvalidInput extends DomainError {
  readonly kind = 'invalid_input';
}

/** Well-formed input that breaks a business rule (e.g. fields a stage requires). */
export class RuleViolation extends DomainError {
  readonly kind = 'rule_violation';
}

export class NotFound extends DomainError {
  readonly kind = 'not_found';
  constructor(what: string) {
    super(`${what} not found`);
  }
}

/** Stale version, duplicate, or a state that forbids the change. */
export class Conflict extends DomainError {
  readonly kind = 'conflict';
}

export class Unauthenticated extends DomainError {
  readonly kind = 'unauthenticated';
}

export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
}

export class PayloadTooLarge extends DomainError {
  readonly kind = 'payload_too_large';
}

/** A quota of the tenant is used up (daily e-mails, SMS): 429 with Retry-After (`retryAfterSeconds`). */
export class QuotaExceeded extends DomainError {
  readonly kind = 'quota_exceeded';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    errors: FieldError[] = [],
    extra: Record<string, unknown> = {},
  ) {
    super(message, errors, { ...extra, retryAfterSeconds });
  }
}

export function staleVersion(expected: number | undefined, actual: number): Conflict {
  return new Conflict(`version ${expected} is stale: the current version is ${actual}`, [{ field: 'version', message: `expected ${actual}` }], {
    currentVersion: actual,
  });
}

/** A dependency (e-mail or SMS provider, storage) is unavailable right now; retrying later may work. */
export class Unavailable extends DomainError {
  readonly kind = 'unavailable';
}

/** The provider refused the message for good (bad address, rejected content): do not retry. */
export class DeliveryRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryRejected';
  }
}
