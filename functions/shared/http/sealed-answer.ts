/**
 * Idempotency-Key for routes whose answer carries a secret shown once (a new API key, a new signing secret):
 * the answer the Idempotency-Key store keeps is sealed with the tenant secrets cipher (KMS in AWS, AES-GCM
 * locally; purpose `idempotent-answer`), never in clear, and opened for a replay. A route says
 * `idempotent: sealedAnswer`; only the functions of such routes bundle this (and the cipher), and their role
 * may use the secrets key under that purpose (infra/functions.ts `secretsSeal/secretsOpen:idempotentAnswers`).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { openEnvelope, type SealedEnvelope, SecretUnreadable, sealEnvelope, Unavailable } from '../../domain/kernel';
import { secretCipher } from '../wiring/secrets';
import type { AnswerSeal } from './route';

export const ANSWER_PURPOSE = 'idempotent-answer';

export const sealedAnswer: AnswerSeal = {
  async seal(tenantId, answer) {
    return { sealedAnswer: await sealEnvelope(secretCipher(), { tenantId, purpose: ANSWER_PURPOSE }, JSON.stringify(answer)) };
  },
  async open(tenantId, stored) {
    const sealed = (stored as { sealedAnswer?: SealedEnvelope } | null)?.sealedAnswer;
    try {
      if (!sealed) throw new SecretUnreadable('the stored answer is not sealed');
      return JSON.parse(await openEnvelope(secretCipher(), { tenantId, purpose: ANSWER_PURPOSE }, sealed)) as APIGatewayProxyStructuredResultV2;
    } catch (error) {
      if (!(error instanceof SecretUnreadable)) throw error;
      throw new Unavailable(
        'the first answer to this Idempotency-Key was stored sealed and can no longer be opened (the secrets key changed): it cannot be replayed; send the request with a new Idempotency-Key',
        [{ field: 'Idempotency-Key', message: 'its stored answer cannot be opened' }],
      );
    }
  },
};
