/**
 * SMS reach SNS in E.164 only: the SNS adapter sends the normalized number, and the local SMS outbox refuses what
 * SNS refuses (a number with spaces, a national number), as SNS's InvalidParameter.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, inject, it } from 'vitest';
import { createSnsSms } from '../../functions/adapters/sms/sns-sms';
import { DeliveryRejected } from '../../functions/domain/kernel';
import { smsTo } from '../fixtures/outbox';

const endpoint = () => inject('endpoints').sns;
Object.assign(process.env, { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test', AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test' });
const unique = () => String(Date.now()).slice(-7);

describe('SMS to SNS', () => {
  it('go out in E.164 whatever spacing the number was stored with', async () => {
    const sms = createSnsSms({ AWS_REGION: 'eu-west-1', SNS_ENDPOINT: endpoint(), SMS_SENDER_ID: undefined });
    const digits = unique();
    const typed = `+34 61${digits.slice(0, 1)} ${digits.slice(1, 4)} ${digits.slice(4)}`;

    await sms.send({ to: typed, text: 'hello' });

    const [received] = await smsTo(`+3461${digits}`);
    expect(received?.phoneNumber).toBe(`+3461${digits}`);
  });

  it('are refused before SNS when the number is not a valid international one (a refusal, not an outage: no retry)', async () => {
    const sms = createSnsSms({ AWS_REGION: 'eu-west-1', SNS_ENDPOINT: endpoint(), SMS_SENDER_ID: undefined });
    await expect(sms.send({ to: '611 222 333', text: 'hello' })).rejects.toBeInstanceOf(DeliveryRejected);
    await expect(sms.send({ to: '+34 600 12 34', text: 'hello' })).rejects.toBeInstanceOf(DeliveryRejected);
  });

  it('the local outbox refuses what SNS refuses: not E.164', async () => {
    const client = new SNSClient({ region: 'eu-west-1', endpoint: endpoint(), credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    for (const PhoneNumber of ['+34 611 222 333', '611222333', '0034611222333', '+0611222333']) {
      const error = await client.send(new PublishCommand({ PhoneNumber, Message: 'hi' })).catch((e: { name: string }) => e);
      expect((error as { name?: string }).name, PhoneNumber).toBe('InvalidParameterException');
    }
    const ok = await client.send(new PublishCommand({ PhoneNumber: `+3461${unique()}`, Message: 'hi' }));
    expect(ok.MessageId).toBeDefined();
  });
});
