/**
 * What a document template can get wrong, located where possible: syntax, names, and the limits of a render
 * (time, repetitions, output size). Kept apart so that the engine, its limits and its worker share them.
 */

export interface TemplateErrorDetail {
  line: number;
  column?: number;
  message: string;
  /** The partial the error is in, when it is not in the main template. */
  partial?: string;
}

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly errors: TemplateErrorDetail[],
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Which bound a template render went past. */
export type TemplateLimit = 'time' | 'iterations' | 'output' | 'memory';

/**
 * A template that needs more than a render may take: too long, too many repetitions (nested `{{#each}}`
 * over the lines, for one), too much HTML, too much memory. The same template on the same data would do
 * it again: a permanent failure, with a reason a person can act on.
 */
export class TemplateLimitError extends TemplateError {
  constructor(
    readonly limit: TemplateLimit,
    message: string,
    where: { line?: number; column?: number } = {},
  ) {
    super(`template exceeds its limits: ${message}`, [{ line: where.line ?? 1, ...(where.column !== undefined ? { column: where.column } : {}), message }]);
    this.name = 'TemplateLimitError';
  }
}

/** A template error as one line a person can act on: "line 3, column 5: Unknown helper \"foo\"". */
export function describeTemplateError(error: TemplateErrorDetail): string {
  const where = `${error.partial ? `partial "${error.partial}", ` : ''}line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''}`;
  let message = error.message.replace(/^Parse error on line \d+:?\s*/, 'syntax error: ');
  if (/got 'EOF'$/.test(message)) message = `syntax error: the template ends inside an unclosed block or tag (${message.slice(14)})`;
  else if (/got 'OPEN_ENDBLOCK'$/.test(message) && /Expecting 'EOF'/.test(message)) {
    message = `syntax error: a closing tag {{/...}} has no matching opening block (${message.slice(14)})`;
  }
  return `${where}: ${message}`;
}
