import type { SNSClient } from '@aws-sdk/client-sns';
import { DeliveryRejected, toE164 } from '../../domain/kernel';
import type { Config } from '../../shared/config';
import { Sending, type SmsSender } from '../../domain/delivery';

/** SMS through SNS Publish to a phone number (transactional, with the tenant's sender id where allowed). */
export function createSnsSms(cfg: Pick<Config, 'AWS_REGION' | 'SNS_ENDPOINT' | 'SMS_SENDER_ID'>): SmsSender {
  // One attempt: retries belong to the automation run, which knows whether a message went out.
  // the SNS client is loaded on the first SMS, not at cold start (most invocations send none)
  let sns: Promise<{ client: SNSClient; PublishCommand: typeof import('@aws-sdk/client-sns').PublishCommand }> | undefined;
  const loadSns = () =>
    (sns ??= import('@aws-sdk/client-sns').then(({ SNSClient, PublishCommand }) => ({
      client: new SNSClient({
        region: cfg.AWS_REGION,
        maxAttempts: 1,
        requestHandler: { requestTimeout: Sending.SEND_TIMEOUT_MS, connectionTimeout: 3_000 },
        ...(cfg.SNS_ENDPOINT ? { endpoint: cfg.SNS_ENDPOINT } : {}),
      }),
      PublishCommand,
    })));
  return {
    async send({ to, text, senderId }) {
      const sender = senderId ?? cfg.SMS_SENDER_ID;
      // SNS takes E.164 only ('+34611222333', not '+34 611 222 333'); a number that is not one is refused here.
      const phoneNumber = toE164(to);
      if (!phoneNumber) throw new DeliveryRejected(`"${to}" is not a valid phone number in international form (E.164)`);
      const { client, PublishCommand } = await loadSns();
      const res = await client
        .send(
          new PublishCommand({
            PhoneNumber: phoneNumber,
            Message: text,
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
              ...(sender ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: sender.slice(0, 11) } } : {}),
            },
          }),
        )
        .catch((error: { name?: string; $fault?: string; message: string }) => {
          // SDK v3 names them by their shape (InvalidParameterException); the wire code drops the suffix.
          throw error.$fault === 'client' && ['InvalidParameter', 'InvalidParameterValue', 'OptedOut'].includes((error.name ?? '').replace(/Exception$/, ''))
            ? new DeliveryRejected(error.message)
            : error;
        });
      return { messageId: res.MessageId! };
    },
  };
}
