import type * as z from 'zod';
import { InvalidInput, type FieldError } from '../../domain/kernel';

function fieldOf(path: PropertyKey[], prefix: string): string {
  const parts = path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)));
  const joined = parts.reduce((acc, p) => (p.startsWith('[') || !acc ? acc + p : `${acc}.${p}`), '');
  return prefix ? (joined ? `${prefix}.${joined}` : prefix) : joined || '(root)';
}

/** Zod issues as field-level errors: unknown keys name the key itself. */
export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: fieldOf([...issue.path, key], prefix),
        message: 'unknown field',
      }));
    }
    return [{ field: fieldOf(issue.path, prefix), message: issue.message }];
  });
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidInput(`the ${prefix || 'input'} is invalid`, fieldErrors(result.error, prefix));
  }
  return result.data;
}
