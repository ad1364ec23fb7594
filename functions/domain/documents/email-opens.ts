/**
 * Which e-mail opens are evidence that a person read the e-mail. The open pixel is fetched by much more than
 * people: privacy proxies fetch every image of every message as it arrives (Apple Mail Privacy Protection),
 * webmail image proxies fetch on the server's schedule, and security gateways fetch everything in a message
 * before the recipient sees it. Such an open is recorded as "opened (unverified)" and moves nothing; only a
 * verified open (and any view of the document link) is the client's doing.
 *
 * An open is unverified when
 *  1. the pixel is fetched within SCANNER_WINDOW_SECONDS of the e-mail being sent (scanners and proxies fetch
 *     on delivery; a person rarely opens within the first minute);
 *  2. the user agent is a known proxy, scanner or library (PROXY_USER_AGENTS), or is empty, or is Apple MPP's
 *     bare `Mozilla/5.0`;
 *  3. the address is in a range known to belong to a mail proxy or scanner (PROXY_RANGES, IPv4);
 *  4. the pixel was loaded by a web page (it carries a Referer): a mail client or a proxy sends none; an e-mail
 *     viewer showing many messages at once does (the local SES stand-in's page is one).
 * The lists are what these services publish or are widely documented to use; extend them here.
 */

/** An open this soon after the e-mail was sent is a scanner's or a proxy's, not a reader's. */
export const SCANNER_WINDOW_SECONDS = 60;

/** User agents of image proxies, security scanners and HTTP libraries (case-insensitive). */
export const PROXY_USER_AGENTS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'Google Image Proxy (Gmail)', pattern: /GoogleImageProxy|ggpht\.com/i },
  { name: 'Yahoo Mail proxy', pattern: /YahooMailProxy/i },
  {
    name: 'Microsoft (Outlook.com / Exchange Online Protection / Defender Safe Links)',
    pattern: /OutlookImageProxy|Microsoft Office Protocol Discovery|ms-office.*scan|SafeLinks/i,
  },
  { name: 'Proofpoint', pattern: /Proofpoint/i },
  { name: 'Mimecast', pattern: /Mimecast/i },
  { name: 'Barracuda', pattern: /Barracuda/i },
  { name: 'Cisco / IronPort', pattern: /IronPort|Cisco/i },
  { name: 'Symantec / Broadcom (MessageLabs)', pattern: /Symantec|MessageLabs|Broadcom/i },
  { name: 'Trend Micro', pattern: /Trend ?Micro|TMUFE/i },
  { name: 'Sophos', pattern: /Sophos/i },
  { name: 'Forcepoint', pattern: /Forcepoint/i },
  { name: 'Zscaler', pattern: /Zscaler/i },
  { name: 'link preview bots', pattern: /bot\b|crawler|spider|facebookexternalhit|WhatsApp|Slack|preview/i },
  { name: 'HTTP libraries and headless browsers', pattern: /^(curl|wget|python|go-http-client|java|okhttp|axios|node|undici|got|libwww)|Headless/i },
];

/** Apple Mail Privacy Protection fetches through Apple's proxies with this exact user agent. */
const APPLE_MPP_USER_AGENT = 'Mozilla/5.0';

/** IPv4 ranges of mail proxies and scanners. */
export const PROXY_RANGES: readonly { name: string; cidr: string }[] = [
  { name: 'Apple (Mail Privacy Protection)', cidr: '17.0.0.0/8' },
  { name: 'Google Image Proxy', cidr: '66.102.0.0/20' },
  { name: 'Google Image Proxy', cidr: '66.249.80.0/20' },
  { name: 'Microsoft Exchange Online Protection', cidr: '40.92.0.0/15' },
  { name: 'Microsoft Exchange Online Protection', cidr: '40.107.0.0/16' },
  { name: 'Microsoft Exchange Online Protection', cidr: '52.100.0.0/14' },
  { name: 'Microsoft Exchange Online Protection', cidr: '104.47.0.0/17' },
  { name: 'Proofpoint', cidr: '67.231.144.0/20' },
  { name: 'Proofpoint', cidr: '148.163.128.0/19' },
  { name: 'Mimecast', cidr: '205.139.110.0/24' },
  { name: 'Mimecast', cidr: '207.211.30.0/24' },
];

export interface OpenRequest {
  userAgent?: string;
  ip?: string;
  referer?: string;
  /** When the newest e-mail of the subject was sent (ISO), if known. */
  sentAt?: string;
  now: Date;
}

export type OpenVerdict = { verified: true } | { verified: false; reason: string };

/** Is this fetch of the open pixel a person opening the e-mail? */
export function classify(request: OpenRequest): OpenVerdict {
  const ua = (request.userAgent ?? '').trim();
  if (request.sentAt) {
    const seconds = (request.now.getTime() - Date.parse(request.sentAt)) / 1000;
    if (seconds < SCANNER_WINDOW_SECONDS) return { verified: false, reason: `fetched ${Math.max(0, Math.round(seconds))} s after sending` };
  }
  if (ua === '') return { verified: false, reason: 'no user agent' };
  if (ua === APPLE_MPP_USER_AGENT) return { verified: false, reason: 'Apple Mail Privacy Protection' };
  const agent = PROXY_USER_AGENTS.find((p) => p.pattern.test(ua));
  if (agent) return { verified: false, reason: agent.name };
  const range = request.ip ? PROXY_RANGES.find((r) => inRange(request.ip!, r.cidr)) : undefined;
  if (range) return { verified: false, reason: range.name };
  if (request.referer) return { verified: false, reason: 'loaded by a web page' };
  return { verified: true };
}

function ipv4(ip: string): number | null {
  const parts = ip.replace(/^::ffff:/i, '').split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Whether an IPv4 address (or an IPv4-mapped IPv6 one) lies in a CIDR range. */
export function inRange(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const address = ipv4(ip);
  const network = ipv4(base);
  if (address === null || network === null) return false;
  const bits = Number(bitsText);
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(network / size);
}
