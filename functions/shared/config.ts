import * as z from 'zod';

/**
 * Configuration read from the environment, validated by a schema: parsed on first use (`config()`, which the
 * wiring calls when it makes its clients, during the first invocation) and kept for the life of the container.
 * A missing or malformed variable fails that first use with every problem listed, never later, half-way.
 * Endpoint overrides are how the local stack points the real AWS SDK clients at the emulators.
 */
const optionalUrl = z.url().optional();

const ConfigSchema = z.object({
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1).default('crm-documents'),
  EVENT_BUS_NAME: z.string().min(1).default('crm-invoicing'),
  EVENT_SOURCE: z.string().default('crm.invoicing'),
  AWS_REGION: z.string().default('eu-west-1'),
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  MAIL_FROM: z.string().default('invoices@example.com'),
  SMS_SENDER_ID: z.string().max(11).optional(),
  PRESIGN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(300),
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(3600).default(86_400),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  DYNAMODB_ENDPOINT: optionalUrl,
  S3_ENDPOINT: optionalUrl,
  SES_ENDPOINT: optionalUrl,
  SNS_ENDPOINT: optionalUrl,
  EVENTBRIDGE_ENDPOINT: optionalUrl,
  CHROMIUM_PATH: z.string().optional(),
  /** Built-in templates (`templates/`) and the Noto Sans package, where a bundle put them (PDF functions on Lambda). */
  TEMPLATES_DIR: z.string().min(1).optional(),
  FONT_PACKAGE_DIR: z.string().min(1).optional(),
  /** Deadline of one PDF render attempt. */
  PDF_RENDER_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(25_000),
  /** Tenant secrets (webhook signing secrets, card provider keys): the KMS key that seals them in AWS (id, ARN or alias). */
  SECRETS_KMS_KEY_ID: z.string().min(1).optional(),
  /** Local runs and tests: the AES-256 key (base64 of 32 bytes) that seals them when there is no KMS key. */
  LOCAL_SECRETS_KEY: z.string().min(1).optional(),
  /** Local runs only: webhooks may be delivered to loopback addresses (http allowed there), so tests can run a receiver. */
  WEBHOOKS_ALLOW_LOOPBACK: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Deadline of one webhook attempt (resolving, connecting, sending, the answer's headers). */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(500).max(30_000).default(10_000),
});

export type Config = z.infer<typeof ConfigSchema>;

let cached: Config | undefined;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${details}`);
  }
  return parsed.data;
}

/** The configuration of this process, parsed on first use and kept. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** For the local runner and tests that set the environment before the first call. */
export function resetConfigForTests(): void {
  cached = undefined;
}
