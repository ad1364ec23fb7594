import * as z from 'zod';
import { PrintModel, Settings } from '../../../domain/documents';

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
  senderName: optionalText(100),
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
  quoteLinkGraceDays: z
    .number()
    .int()
    .min(0)
    .max(Settings.MAX_QUOTE_LINK_GRACE_DAYS)
    .optional()
    .describe(`Days a quote's page (every link to the quote) stays reachable after its validUntil; default ${Settings.DEFAULT_QUOTE_LINK_GRACE_DAYS}`),
  /** Per image: absent keeps the current one, null removes it, { data } replaces it. */
  images: z
    .strictObject({
      logo: ImageUpload.nullable().optional(),
      stamp: ImageUpload.nullable().optional(),
      signature: ImageUpload.nullable().optional(),
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
  quoteLinkGraceDays: z.number(),
  images: z.object({ logo: ImageView.nullable(), stamp: ImageView.nullable(), signature: ImageView.nullable() }),
  verifactu: z.object({ enabled: z.boolean(), issuerTaxId: z.string() }).nullable(),
  version: z.number(),
  updatedAt: z.string(),
});
