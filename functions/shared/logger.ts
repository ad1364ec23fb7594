import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs; tenant, request and correlation ids are appended per request. */
export const logger = new Logger({
  serviceName: 'crm-invoicing',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
});
