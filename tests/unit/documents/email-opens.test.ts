import { describe, expect, it } from 'vitest';
import { EmailOpens } from '../../../functions/domain/documents';

const now = new Date('2026-03-01T12:00:00.000Z');
const sentAt = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString();
const PERSON = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';

describe('EmailOpens.classify', () => {
  it('verifies an open by a mail client, long enough after sending, from an ordinary address, with no Referer', () => {
    expect(EmailOpens.classify({ userAgent: PERSON, ip: '88.12.34.56', sentAt: sentAt(3600), now })).toEqual({ verified: true });
    expect(EmailOpens.classify({ userAgent: PERSON, ip: '88.12.34.56', now })).toEqual({ verified: true }); // send time unknown
  });

  it.each([
    ['right after sending', { userAgent: PERSON, sentAt: sentAt(5) }, 'fetched 5 s after sending'],
    ['just inside the window', { userAgent: PERSON, sentAt: sentAt(EmailOpens.SCANNER_WINDOW_SECONDS - 1) }, /after sending/],
    [
      'Gmail image proxy',
      { userAgent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' },
      'Google Image Proxy (Gmail)',
    ],
    ['Yahoo proxy', { userAgent: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html' }, 'Yahoo Mail proxy'],
    ['Apple Mail Privacy Protection (user agent)', { userAgent: 'Mozilla/5.0' }, 'Apple Mail Privacy Protection'],
    ['Apple Mail Privacy Protection (address)', { userAgent: PERSON, ip: '17.58.100.7' }, 'Apple (Mail Privacy Protection)'],
    ['Microsoft EOP address', { userAgent: PERSON, ip: '40.107.22.1' }, 'Microsoft Exchange Online Protection'],
    ['Mimecast', { userAgent: 'Mimecast URL Protect' }, 'Mimecast'],
    ['an HTTP library', { userAgent: 'python-requests/2.31' }, 'HTTP libraries and headless browsers'],
    ['no user agent', { userAgent: '' }, 'no user agent'],
    ['an e-mail viewer page', { userAgent: PERSON, referer: 'http://127.0.0.1:8005/' }, 'loaded by a web page'],
  ])('leaves %s unverified', (_what, request, reason) => {
    const verdict = EmailOpens.classify({ sentAt: sentAt(3600), ...request, now });
    expect(verdict.verified).toBe(false);
    expect(verdict.verified ? '' : verdict.reason).toMatch(reason);
  });

  it('matches IPv4 ranges, IPv4-mapped addresses included, and nothing else', () => {
    expect(EmailOpens.inRange('17.0.0.1', '17.0.0.0/8')).toBe(true);
    expect(EmailOpens.inRange('::ffff:17.1.2.3', '17.0.0.0/8')).toBe(true);
    expect(EmailOpens.inRange('18.0.0.1', '17.0.0.0/8')).toBe(false);
    expect(EmailOpens.inRange('66.249.95.255', '66.249.80.0/20')).toBe(true);
    expect(EmailOpens.inRange('66.249.96.0', '66.249.80.0/20')).toBe(false);
    expect(EmailOpens.inRange('2001:db8::1', '17.0.0.0/8')).toBe(false);
  });
});
