import { describe, expect, it } from 'vitest';
import { Calendar } from '../../../functions/domain/scheduling';

const { occurrence, addMonths, localDate, zonedInstant, isCalendarDate, daysBetween } = Calendar;

describe('schedule dates (a pure function of the anchor, never of the previous run)', () => {
  it('keeps a monthly anchor on the 31st, clamped to each month end, across a year', () => {
    const dates = Array.from({ length: 13 }, (_, n) => occurrence('2026-01-31', 'month', 1, n));
    expect(dates).toEqual([
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
      '2026-06-30',
      '2026-07-31',
      '2026-08-31',
      '2026-09-30',
      '2026-10-31',
      '2026-11-30',
      '2026-12-31',
      '2027-01-31',
    ]);
  });

  it('makes Feb 29 in leap years (Jan 31 -> Feb 29, 2028), and yearly Feb 29 -> Feb 28 -> Feb 29', () => {
    expect(occurrence('2028-01-31', 'month', 1, 1)).toBe('2028-02-29');
    expect(occurrence('2028-02-29', 'year', 1, 1)).toBe('2029-02-28');
    expect(occurrence('2028-02-29', 'year', 1, 4)).toBe('2032-02-29');
    expect(occurrence('2100-01-31', 'month', 1, 1)).toBe('2100-02-28'); // 2100 is not a leap year
    expect(occurrence('2000-01-31', 'month', 1, 1)).toBe('2000-02-29'); // 2000 is
  });

  it('counts every N: every 2 weeks, every 3 months from the 30th, across a year end', () => {
    expect([0, 1, 2].map((n) => occurrence('2026-12-22', 'week', 2, n))).toEqual(['2026-12-22', '2027-01-05', '2027-01-19']);
    expect([0, 1, 2, 3].map((n) => occurrence('2026-11-30', 'month', 3, n))).toEqual(['2026-11-30', '2027-02-28', '2027-05-30', '2027-08-30']);
    expect(addMonths('2026-12-15', -12)).toBe('2025-12-15');
  });

  it("reads the date of an instant in a time zone (the tenant's today)", () => {
    const instant = new Date('2026-12-31T23:30:00Z');
    expect(localDate(instant, 'UTC')).toBe('2026-12-31');
    expect(localDate(instant, 'Europe/Madrid')).toBe('2027-01-01');
    expect(localDate(instant, 'America/Mexico_City')).toBe('2026-12-31');
    expect(localDate(new Date('2027-01-01T05:00:00Z'), 'America/Mexico_City')).toBe('2026-12-31');
  });

  it('keeps 06:00 local across the March and October DST changes (Madrid)', () => {
    expect(zonedInstant('2026-03-28', '06:00', 'Europe/Madrid').toISOString()).toBe('2026-03-28T05:00:00.000Z');
    expect(zonedInstant('2026-03-30', '06:00', 'Europe/Madrid').toISOString()).toBe('2026-03-30T04:00:00.000Z');
    expect(zonedInstant('2026-10-24', '06:00', 'Europe/Madrid').toISOString()).toBe('2026-10-24T04:00:00.000Z');
    expect(zonedInstant('2026-10-26', '06:00', 'Europe/Madrid').toISOString()).toBe('2026-10-26T05:00:00.000Z');
  });

  it('tells real calendar dates and counts days', () => {
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(daysBetween('2026-12-25', '2027-01-05')).toBe(11);
  });
});
