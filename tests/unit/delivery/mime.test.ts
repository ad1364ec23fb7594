import { describe, expect, it } from 'vitest';
import { composeMime } from '../../../functions/adapters/mail/ses-mailer';

const headerOf = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1];

describe('the MIME message (nodemailer composer)', () => {
  it('carries the message protocol Message-ID, the same on every resend', async () => {
    const mail = { messageId: '<msg_abc@b.example>', from: { name: 'Acme', address: 'invoices@b.example' }, to: 'c@example.com', subject: 'Hi', text: 'x' };
    const first = (await composeMime(mail)).toString();
    const again = (await composeMime(mail)).toString();
    expect(headerOf(first, 'Message-ID')).toBe('<msg_abc@b.example>');
    expect(headerOf(again, 'Message-ID')).toBe('<msg_abc@b.example>');
  });

  it('encodes the display name apart from the address: a name cannot change the From address', async () => {
    for (const name of ['PayPal <security@paypal.com>', 'Acme\\', 'x" <evil@example.com>, "y', 'Ромашка']) {
      const raw = (await composeMime({ from: { name, address: 'invoices@b.example' }, to: 'c@example.com', subject: 'Hi', text: 'x' })).toString();
      const from = headerOf(raw, 'From')!;
      expect(from.endsWith('<invoices@b.example>'), from).toBe(true);
      expect(from.match(/<[^>]*@[^>]*>/g)?.at(-1)).toBe('<invoices@b.example>');
    }
  });
});
