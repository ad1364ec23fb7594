import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { mailAddress, readSettings } from '../../infra/stacks/settings';

const settings = (context: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) => readSettings(new App({ context }).node, env);

describe('deployment settings (infra/stacks/settings.ts)', () => {
  it('defaults to a dev stage without deletion protection, CORS off', () => {
    const s = settings();
    expect(s).toMatchObject({ stage: 'dev', isProduction: false, deletionProtection: false, corsOrigins: [], logLevel: 'INFO' });
    expect(s.smsSenderId).toBeUndefined();
    expect(s.alarmEmail).toBeUndefined();
    expect(s.publicBaseUrl).toBeUndefined();
  });

  it('protects a prod stage by default', () => {
    expect(settings({ stage: 'prod' })).toMatchObject({ isProduction: true, deletionProtection: true, logRetentionDays: 365 });
    expect(settings({ stage: 'prod', deletionProtection: 'false' }).deletionProtection).toBe(false);
    expect(settings({ deletionProtection: true }).deletionProtection).toBe(true);
  });

  it('reads CRM_* environment variables when no context is given, context first', () => {
    const env = { CRM_STAGE: 'staging', CRM_MAIL_FROM: 'Acme <billing@acme.test>', CRM_SMS_SENDER_ID: 'ACME', MAIL_FROM: 'ignored@x.test' };
    expect(settings({}, env)).toMatchObject({ stage: 'staging', mailFrom: 'Acme <billing@acme.test>', sesIdentity: 'acme.test', smsSenderId: 'ACME' });
    expect(settings({ stage: 'qa' }, env).stage).toBe('qa');
  });

  it('refuses malformed values instead of deploying them', () => {
    expect(() => settings({ stage: 'Prod_1' })).toThrow(/stage/);
    expect(() => settings({ smsSenderId: 'MORE-THAN-ELEVEN' })).toThrow(/smsSenderId/);
    expect(() => settings({ mailFrom: 'nobody' })).toThrow(/mailFrom/);
    expect(() => settings({ deletionProtection: 'maybe' })).toThrow(/deletionProtection/);
    expect(() => settings({ publicBaseUrl: 'http://api.acme.test' })).toThrow(/publicBaseUrl/);
    expect(() => settings({ logRetentionDays: 42 })).toThrow(/logRetentionDays/);
  });

  it('takes CORS origins as a list or a comma-separated string', () => {
    expect(settings({ corsOrigins: 'https://a.test, https://b.test' }).corsOrigins).toEqual(['https://a.test', 'https://b.test']);
    expect(settings({ corsOrigins: ['https://a.test'] }).corsOrigins).toEqual(['https://a.test']);
  });

  it('extracts the bare address of a From', () => {
    expect(mailAddress('Acme Invoices <invoices@acme.test>')).toBe('invoices@acme.test');
    expect(mailAddress('invoices@acme.test')).toBe('invoices@acme.test');
    expect(mailAddress('not an address')).toBeUndefined();
  });
});
