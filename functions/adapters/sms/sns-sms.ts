import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeliveryRejected } from '../../domain/kernel';
import type { Config } from '../../shared/config';
import type { SmsSender } from '../../domain/delivery';

/** SMS through SNS Publish to a phone number (transactional, with the tenant's sender id where allowed). */
export function createSnsSms(cfg: Pick<Config, 'AWS_REGION' | 'SNS_ENDPOINT' | 'SMS_SENDER_ID'>): SmsSender {
  // One attempt: retries belong to the automation run, which knows whether a message went out.
  const client = new SNSClient({ region: cfg.AWS_REGION, maxAttempts: 1, ...(cfg.SNS_ENDPOINT ? { endpoint: cfg.SNS_ENDPOINT } : {}) });
  return {
    async send({ to, text, senderId }) {
      const sender = senderId ?? cfg.SMS_SENDER_ID;
      const res = await client
        .send(
          new PublishCommand({
            PhoneNumber: to,
            Message: text,
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
              ...(sender ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: sender.slice(0, 11) } } : {}),
            },
          }),
        )
        .catch((error: { name?: string; $fault?: string; message: string }) => {
          throw error.$fault === 'client' && ['InvalidParameter', 'InvalidParameterValue', 'OptedOut'].includes(error.name ?? '')
            ? new DeliveryRejected(error.message)
            : error;
        });
      return { messageId: res.MessageId! };
    },
  };
}
