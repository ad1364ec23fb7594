import * as z from 'zod';
import { PrintModel, Settings } from '../../../domain/documents';
import { safeDisplayName } from '../../../domain/kernel';

const { DOCUMENT_LOCALES } = PrintModel;
const { IMAGE_TYPES, MAX_IMAGE_BYTES } = Settings;
import { Address, BankAccount, currencyCode, email, optionalText, phone, text } from './common';

/** The seller's details printed on documents. */
const seller = {
  name: text(200).optional(),
  legalName: optionalText(200),
  legalForm: optionalText(40),
  taxId: optionalText(40),
  address: Address.optional(),
  email: email.optional(),
  phone: phone.optional(),
  bankAccount: BankAccount.optional(),
};

/** An uploaded image: its bytes in base64 (PNG or JPEG, at most 512 KB); the type is read from the bytes. */
const ImageUpload = z.strictObject({
  // Loose here (the exact 512 KB limit is checked on the decoded bytes, with a clearer 422); this only caps the string.
  data: z
    .string()
    .min(1)
    .max(2 * Math.ceil((MAX_IMAGE_BYTES * 4) / 3), `at most ${MAX_IMAGE_BYTES / 1024} KB of image`),
  contentType: z.string().max(100).optional(),
});

export const SettingsBody = z.strictObject({
  ...seller,
  locale: z.enum(DOCUMENT_LOCALES).default('en'),
  senderName: optionalText(100)
    .refine((v) => v === undefined || safeDisplayName(v) === v, {
      message: 'letters, digits, spaces and simple punctuation only (no quotes, angle brackets, backslashes, @, commas, semicolons or control characters)',
    })
    .describe("The display name of the From header (the address is always the service's verified one)"),
  replyTo: email.optional(),
  notifyEmail: email.optional(),
  smsSenderId: z
    .string()
    .regex(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/, 'must be 1-11 letters and digits, with at least one letter')
    .optional(),
  brandColor: z
    .string()
    .regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour such as #1f5fae')
    .optional(),
  defaultCurrency: currencyCode.optional(),
  paymentTerms: optionalText(500),
  timeZone: z
    .string()
    .max(64)
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone, e.g. Europe/Madrid')
    .optional()
    .describe("The tenant's time zone (IANA, e.g. Europe/Madrid): its today for overdue invoices, reminders and recurring invoices; default UTC"),
  quoteLinkGraceDays: z
    .number()
    .int()
    .min(0)
    .max(Settings.MAX_QUOTE_LINK_GRACE_DAYS)
    .optional()
    .describe(`Days a quote's page (every link to the quote) stays reachable after its validUntil; default ${Settings.DEFAULT_QUOTE_LINK_GRACE_DAYS}`),
  sendingLimits: z
    .strictObject({
      emailPerDay: z.number().int().min(0).max(Settings.MAX_SENDING_LIMITS.emailPerDay).optional(),
      smsPerDay: z.number().int().min(0).max(Settings.MAX_SENDING_LIMITS.smsPerDay).optional(),
    })
    .optional()
    .describe(
      `Daily quotas of e-mails and SMS to clients (UTC days; default ${Settings.DEFAULT_SENDING_LIMITS.emailPerDay} e-mails, ${Settings.DEFAULT_SENDING_LIMITS.smsPerDay} SMS): over them a send answers 429 with Retry-After and automation fails the message visibly`,
    ),
  simplifiedInvoiceLimit: z
    .string()
    .regex(/^\d{1,4}(\.\d{1,2})?$/, 'must be a decimal string such as "400.00"')
    .refine((v) => Number(v) > 0 && Number(v) <= Number(Settings.MAX_SIMPLIFIED_INVOICE_LIMIT), {
      message: `must be more than 0 and at most ${Settings.MAX_SIMPLIFIED_INVOICE_LIMIT}`,
    })
    .optional()
    .describe(
      `The most a simplified invoice may total, VAT included; default ${Settings.DEFAULT_SIMPLIFIED_INVOICE_LIMIT}, at most ${Settings.MAX_SIMPLIFIED_INVOICE_LIMIT}`,
    ),
  accounting: z
    .strictObject({
      accounts: z.strictObject(
        Object.fromEntries(
          Settings.JOURNAL_ACCOUNT_NAMES.map((n) => [
            n,
            z
              .string()
              .regex(/^\d{1,20}$/, 'must be an account number (digits), e.g. 430')
              .optional(),
          ]),
        ) as Record<(typeof Settings.JOURNAL_ACCOUNT_NAMES)[number], z.ZodOptional<z.ZodString>>,
      ),
    })
    .optional()
    .describe('The accounts of the journal export (GET /v1/exports/journal): receivable 430, revenue 700, vat 477, withholding 4730, bank 572 unless given'),
  /** Per image: absent keeps the current one, null removes it, { data } replaces it. */
  images: z
    .strictObject({
      logo: ImageUpload.nullable().optional(),
      stamp: ImageUpload.nullable().optional(),
      signature: ImageUpload.nullable().optional(),
    })
    .optional(),
  payments: z
    .strictObject({
      stripe: z
        .strictObject({
          secretKey: z.string().max(255).optional().describe('sk_live_..., sk_test_... or a restricted rk_ key'),
          webhookSecret: z.string().max(255).optional().describe("the webhook endpoint's signing secret, whsec_..."),
          // what GET /v1/settings shows, sent back unchanged by a read-modify-write client: keeps the keys
          configured: z.boolean().optional(),
          mode: z.enum(['live', 'test']).optional(),
          secretKeyLast4: z.string().max(4).optional(),
          webhookSecretSet: z.boolean().optional(),
          webhookEndpoint: z.string().max(2048).optional().describe('shown by GET (where Stripe sends its events); ignored here'),
        })
        .superRefine((v, ctx) => {
          const writing = v.configured === undefined || v.secretKey !== undefined || v.webhookSecret !== undefined;
          if (!writing) return;
          for (const field of ['secretKey', 'webhookSecret'] as const)
            if (v[field] === undefined)
              ctx.addIssue({ code: 'custom', path: [field], message: 'required to set the Stripe keys (secretKey and webhookSecret together)' });
        })
        .nullable()
        .optional()
        .describe(
          'Card payment with Stripe Checkout: { secretKey, webhookSecret } sets them, write-only (sealed at rest, never returned); absent keeps, null removes; what GET shows ({ configured, ... }) sent back keeps them',
        ),
    })
    .optional(),
  verifactu: z
    .strictObject({
      enabled: z.boolean(),
      issuerTaxId: z.string().max(20).optional().describe("The issuer's Spanish NIF (default: the settings' taxId)"),
    })
    .optional()
    .describe(
      "The register of issued invoices (VERI*FACTU): every issue and cancellation appends a record to the issuer NIF's chain. Absent keeps it as it is",
    ),
  version: z.number().int().min(1).optional(),
});

const ImageView = z.object({
  contentType: z.enum(Object.keys(IMAGE_TYPES) as [keyof typeof IMAGE_TYPES]),
  size: z.number(),
  sha256: z.string(),
  /** Presigned GET URL (minutes). */
  url: z.string(),
});

export const SettingsView = z.object({
  tenantName: z.string(),
  locale: z.string(),
  name: z.string().nullable(),
  legalName: z.string().nullable(),
  legalForm: z.string().nullable(),
  taxId: z.string().nullable(),
  address: Address.loose().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  bankAccount: BankAccount.loose().nullable(),
  senderName: z.string().nullable(),
  replyTo: z.string().nullable(),
  notifyEmail: z.string().nullable(),
  smsSenderId: z.string().nullable(),
  brandColor: z.string().nullable(),
  defaultCurrency: z.string().nullable(),
  paymentTerms: z.string().nullable(),
  timeZone: z.string().nullable(),
  quoteLinkGraceDays: z.number(),
  sendingLimits: z.object({ emailPerDay: z.number(), smsPerDay: z.number() }),
  simplifiedInvoiceLimit: z.string(),
  accounting: z.object({ accounts: z.record(z.string(), z.string()) }).nullable(),
  images: z.object({ logo: ImageView.nullable(), stamp: ImageView.nullable(), signature: ImageView.nullable() }),
  payments: z.object({
    stripe: z
      .object({
        configured: z.boolean(),
        mode: z.enum(['live', 'test']).optional(),
        secretKeyLast4: z.string().optional(),
        webhookSecretSet: z.boolean().optional(),
        webhookEndpoint: z
          .string()
          .describe("The URL to give Stripe as this tenant's webhook endpoint (Developers > Webhooks): POST /webhooks/stripe?tenant={tenantId}"),
      })
      .describe('Whether Stripe keys are set (the keys themselves are never shown), and where Stripe sends its events'),
  }),
  verifactu: z.object({ enabled: z.boolean(), issuerTaxId: z.string() }).nullable(),
  version: z.number(),
  updatedAt: z.string(),
});
