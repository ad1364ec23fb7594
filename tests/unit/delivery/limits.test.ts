import { describe, expect, it } from 'vitest';
import { Limits } from '../../../functions/domain/delivery';

describe('sending limits (issue 14 §3)', () => {
  it('reads the tenant settings within the caps, else the defaults', () => {
    expect(Limits.sendingLimits(undefined)).toEqual({ emailPerDay: 500, smsPerDay: 100 });
    expect(Limits.sendingLimits({ sendingLimits: { emailPerDay: 3, smsPerDay: 0 } })).toEqual({ emailPerDay: 3, smsPerDay: 0 });
    expect(Limits.sendingLimits({ sendingLimits: { emailPerDay: 10 ** 9, smsPerDay: -1 } })).toEqual({ emailPerDay: 500, smsPerDay: 100 });
  });

  it('counts UTC days and says how long until the next one', () => {
    expect(Limits.quotaDay('2026-12-01T23:59:59.000Z')).toBe('2026-12-01');
    expect(Limits.retryAfterSeconds('2026-12-01T23:59:00.000Z')).toBe(60);
    expect(Limits.retryAfterSeconds('2026-12-31T00:00:00.000Z')).toBe(86_400);
  });

  it("recognises the client's own addresses loosely, anything else as external", () => {
    const client = { email: 'Ana@Example.com', phone: '+34 600 111 222' };
    expect(Limits.isClientAddress(client, 'email', ' ana@example.com ')).toBe(true);
    expect(Limits.isClientAddress(client, 'email', 'audit@example.com')).toBe(false);
    expect(Limits.isClientAddress(client, 'sms', '+34600111222')).toBe(true);
    expect(Limits.isClientAddress(client, 'sms', '+34600111223')).toBe(false);
    expect(Limits.isClientAddress({}, 'email', 'a@b.c')).toBe(false);
  });
});

describe('header text', () => {
  it('refuses CR, LF, NUL, ESC, C1, bidi overrides and zero-width characters; bodies may have newlines and tabs', () => {
    for (const bad of ['a\r\nBcc: x@y.z', 'a\u0000', 'a\u001b[31m', 'a\u0085', 'a\u202Egnp.exe', 'a\u200Bb', 'a\u2066b', 'a\u2028b'])
      expect(Limits.unsafeCharacter(bad), JSON.stringify(bad)).toBeDefined();
    expect(Limits.unsafeCharacter('Invoice Nº 12 — €1.210,00 «ok» Счёт')).toBeUndefined();
    expect(Limits.unsafeCharacter('line 1\nline 2\tend', true)).toBeUndefined();
    expect(Limits.unsafeCharacter('line 1\u0007', true)).toBe('U+0007');
  });

  it('a display name cannot change the From address', () => {
    expect(Limits.safeDisplayName('PayPal <security@paypal.com>')).toBe('PayPal securitypaypal.com');
    expect(Limits.safeDisplayName('Acme\\')).toBe('Acme');
    expect(Limits.safeDisplayName('"Acme", Inc; x\r\nBcc: y')).toBe('Acme Inc xBcc y');
    expect(Limits.safeDisplayName('Ромашка и партнёры S.L.')).toBe('Ромашка и партнёры S.L.');
  });
});
