import type { Node } from 'constructs';

/**
 * Deployment settings of one stage, read once in infra/app.ts from CDK context (`-c key=value`, or the
 * `context` of cdk.json) or, when no context is given, from a `CRM_*` environment variable.
 * The environment variables are prefixed on purpose: a shell that ran the local stack may hold
 * MAIL_FROM / PUBLIC_BASE_URL / LOG_LEVEL meant for the handlers, and those must never leak into a deployment.
 *
 * | setting            | context key          | env var                    | default                               |
 * |--------------------|----------------------|----------------------------|---------------------------------------|
 * | stage              | stage                | CRM_STAGE                  | dev                                   |
 * | deletionProtection | deletionProtection   | CRM_DELETION_PROTECTION    | true for a prod stage, false otherwise|
 * | mailFrom           | mailFrom             | CRM_MAIL_FROM              | invoices@example.com                  |
 * | sesIdentity        | sesIdentity          | CRM_SES_IDENTITY           | the domain of mailFrom                |
 * | smsSenderId        | smsSenderId          | CRM_SMS_SENDER_ID          | none (SNS default)                    |
 * | alarmEmail         | alarmEmail           | CRM_ALARM_EMAIL            | none (alarm topic without subscriber) |
 * | publicBaseUrl      | publicBaseUrl        | CRM_PUBLIC_BASE_URL        | the HTTP API's execute-api endpoint   |
 * | logLevel           | logLevel             | CRM_LOG_LEVEL              | INFO                                  |
 * | logRetentionDays   | logRetentionDays     | CRM_LOG_RETENTION_DAYS     | 365 prod, 30 otherwise                |
 * | corsOrigins        | corsOrigins          | CRM_CORS_ORIGINS           | none: CORS off                        |
 * | apiRateLimit       | apiRateLimit         | CRM_API_RATE_LIMIT         | 100 requests/s (stage default)        |
 * | apiBurstLimit      | apiBurstLimit        | CRM_API_BURST_LIMIT        | 200                                   |
 * | scheduleTimezone   | scheduleTimezone     | CRM_SCHEDULE_TIMEZONE      | UTC                                   |
 * | bundleAwsSdk       | bundleAwsSdk         | CRM_BUNDLE_AWS_SDK         | false (the runtime's SDK v3 is used)  |
 */
export interface AppSettings {
  stage: string;
  /** A production stage: deletion protection and longer log retention by default. */
  isProduction: boolean;
  deletionProtection: boolean;
  /** The From of every e-mail (`invoices@acme.com` or `Acme Invoices <invoices@acme.com>`). */
  mailFrom: string;
  /** The SES identity (verified domain or address) the functions may send as. */
  sesIdentity: string;
  smsSenderId?: string;
  alarmEmail?: string;
  /** The public URL of the API (custom domain). Unset: the HTTP API's own endpoint. */
  publicBaseUrl?: string;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  logRetentionDays: number;
  corsOrigins: string[];
  apiRateLimit: number;
  apiBurstLimit: number;
  scheduleTimezone: string;
  bundleAwsSdk: boolean;
}

const PRODUCTION_STAGES = new Set(['prod', 'production']);

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export function readSettings(node: Node, env: NodeJS.ProcessEnv = process.env): AppSettings {
  const raw = (key: string, envName: string): string | undefined => {
    const fromContext: unknown = node.tryGetContext(key);
    if (fromContext !== undefined && fromContext !== null && fromContext !== '') {
      return Array.isArray(fromContext) ? fromContext.join(',') : String(fromContext);
    }
    const fromEnv = env[envName];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const bool = (key: string, envName: string, fallback: boolean): boolean => {
    const value = raw(key, envName)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    throw new Error(`Setting ${key}: expected true or false, got "${value}"`);
  };
  const int = (key: string, envName: string, fallback: number): number => {
    const value = raw(key, envName);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`Setting ${key}: expected a non-negative integer, got "${value}"`);
    return parsed;
  };

  const stage = raw('stage', 'CRM_STAGE') ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new Error(`Setting stage: "${stage}" must be lower-case letters, digits and dashes (max 20), starting with a letter`);
  }
  const isProduction = PRODUCTION_STAGES.has(stage);

  const mailFrom = raw('mailFrom', 'CRM_MAIL_FROM') ?? 'invoices@example.com';
  const address = mailAddress(mailFrom);
  if (!address) throw new Error(`Setting mailFrom: "${mailFrom}" is not an e-mail address`);
  const sesIdentity = raw('sesIdentity', 'CRM_SES_IDENTITY') ?? address.slice(address.lastIndexOf('@') + 1);

  const smsSenderId = raw('smsSenderId', 'CRM_SMS_SENDER_ID');
  if (smsSenderId !== undefined && !/^(?=.*[A-Za-z])[A-Za-z0-9-]{1,11}$/.test(smsSenderId)) {
    throw new Error(`Setting smsSenderId: "${smsSenderId}" must be 1-11 letters, digits or dashes, with at least one letter`);
  }

  const alarmEmail = raw('alarmEmail', 'CRM_ALARM_EMAIL');
  if (alarmEmail !== undefined && !mailAddress(alarmEmail)) throw new Error(`Setting alarmEmail: "${alarmEmail}" is not an e-mail address`);

  const publicBaseUrl = raw('publicBaseUrl', 'CRM_PUBLIC_BASE_URL')?.replace(/\/+$/, '');
  if (publicBaseUrl !== undefined && !/^https:\/\/[^/\s]+(\/[^\s]*)?$/.test(publicBaseUrl)) {
    throw new Error(`Setting publicBaseUrl: "${publicBaseUrl}" must be an https:// URL`);
  }

  const logLevel = (raw('logLevel', 'CRM_LOG_LEVEL') ?? 'INFO').toUpperCase();
  if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel)) throw new Error(`Setting logLevel: "${logLevel}" is not DEBUG, INFO, WARN or ERROR`);

  const logRetentionDays = int('logRetentionDays', 'CRM_LOG_RETENTION_DAYS', isProduction ? 365 : 30);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new Error(`Setting logRetentionDays: ${logRetentionDays} is not one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }

  const corsOrigins = (raw('corsOrigins', 'CRM_CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);

  return {
    stage,
    isProduction,
    deletionProtection: bool('deletionProtection', 'CRM_DELETION_PROTECTION', isProduction),
    mailFrom,
    sesIdentity,
    smsSenderId,
    alarmEmail,
    publicBaseUrl,
    logLevel: logLevel as AppSettings['logLevel'],
    logRetentionDays,
    corsOrigins,
    apiRateLimit: int('apiRateLimit', 'CRM_API_RATE_LIMIT', 100),
    apiBurstLimit: int('apiBurstLimit', 'CRM_API_BURST_LIMIT', 200),
    scheduleTimezone: raw('scheduleTimezone', 'CRM_SCHEDULE_TIMEZONE') ?? 'UTC',
    bundleAwsSdk: bool('bundleAwsSdk', 'CRM_BUNDLE_AWS_SDK', false),
  };
}

/** The bare address of `a@b.c` or `Name <a@b.c>`; undefined when it is not one. */
export function mailAddress(value: string): string | undefined {
  const address = (value.match(/<([^<>]+)>\s*$/)?.[1] ?? value).trim();
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address) ? address : undefined;
}
