import * as z from 'zod';

/** Building blocks of the HTTP contract (docs/openapi.json). Bodies are strict: unknown fields are refused. */
export const text = (max = 200) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
export const optionalText = (max = 200) => z.string().trim().max(max, `at most ${max} characters`).optional();

export const email = z.email('must be an e-mail address').max(254).describe('An e-mail address');
export const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()./-]{6,24}$/, 'must be a phone number, e.g. +34 600 123 456')
  .describe('A phone number as written, best with its country code: +34 600 123 456');
/** A client's language: every text it receives (quote page, e-mails, SMS, PDFs) is in it; a region sets number and date formats. */
export const clientLocale = z
  .string()
  .regex(/^(en|es|ru|ro)([-_][A-Z]{2})?$/, 'must be one of the languages en, es, ru, ro, optionally with a region (es-MX)')
  .describe("The client's language (en, es, ru, ro; es-MX for Mexican formats): every text the client receives is in it, else in the tenant's");
export const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code, e.g. ES')
  .describe('ISO 3166-1 alpha-2 country code, upper case: ES, RU, RO');
export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. EUR')
  .describe('ISO 4217 currency code: EUR, RUB, RON');
export const isoDate = z.iso.date('must be a date YYYY-MM-DD').describe('A calendar date, YYYY-MM-DD');
/** What a JSON number where a decimal string belongs is told (numbers lose digits on the way). */
export const DECIMAL_STRING_HINT = 'amounts are decimal strings, e.g. "95.50" (a JSON number loses digits)';

export const decimalString = (opts: { maxScale?: number; signed?: boolean } = {}) =>
  z
    .string({ error: (issue) => (typeof issue.input === 'number' ? DECIMAL_STRING_HINT : issue.input === undefined ? 'required' : 'must be a decimal string') })
    .regex(
      new RegExp(`^${opts.signed ? '-?' : ''}\\d{1,15}(\\.\\d{1,${opts.maxScale ?? 6}})?$`),
      `must be a decimal string with at most ${opts.maxScale ?? 6} decimals, e.g. "12.50"`,
    )
    .describe(`A decimal string (never a JSON number), at most ${opts.maxScale ?? 6} decimals: "95.50"`);
export const percent = decimalString({ maxScale: 4 })
  .refine((v) => Number(v) <= 100, 'must be at most 100')
  .describe('A percentage as a decimal string: "21" is 21 %');
export const resourceId = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`), `must be a ${prefix}_ id`)
    .describe(`The id of an object, ${prefix}_ followed by 26 characters`);

export const Address = z.strictObject({
  line1: text(200),
  line2: optionalText(200),
  city: text(100),
  postalCode: text(20),
  region: optionalText(100),
  country: countryCode,
});

export const BankAccount = z.strictObject({
  iban: z
    .string()
    .trim()
    .regex(/^[A-Z]{2}[0-9]{2}[A-Z0-9 ]{10,40}$/, 'must be an IBAN')
    .optional(),
  bic: z
    .string()
    .trim()
    .regex(/^([A-Z0-9]{8}([A-Z0-9]{3})?|\d{9})$/, 'must be a BIC (8 or 11 letters and digits, e.g. CAIXESBBXXX) or a Russian БИК (9 digits)')
    .optional(),
  bankName: optionalText(140),
  accountNumber: optionalText(64).describe('the account number where there is no IBAN (a Russian settlement account, расчётный счёт: 20 digits)'),
});

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50).describe('How many items per page (1 to 100)'),
  cursor: z.string().max(2048).optional().describe("The previous page's nextCursor, to read the next page"),
});

/** Fields a client may never set: the server owns them. */
export const serverOwned = { id: true, tenantId: true, version: true, createdAt: true, updatedAt: true } as const;

export const Meta = {
  id: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

/** PATCH bodies: every field optional, null clears an optional field, and `version` may ride along. */
export function patchOf<S extends z.ZodRawShape>(shape: S, clearable: (keyof S)[]) {
  const partial: Record<string, z.ZodType> = {};
  for (const [key, schema] of Object.entries(shape)) {
    const inner = (schema as z.ZodType) instanceof z.ZodOptional ? (schema as z.ZodOptional<z.ZodType>).unwrap() : (schema as z.ZodType);
    partial[key] = clearable.includes(key as keyof S) ? inner.nullable().optional() : inner.optional();
  }
  return z.strictObject({ ...partial, version: z.number().int().min(1).optional() });
}

/** The client as copied into a quote or an invoice (responses). */
export const ClientSnapshotView = z.object({
  kind: z.enum(['company', 'contact']),
  id: z.string(),
  name: z.string(),
  legalName: z.string().optional(),
  legalForm: z.string().optional(),
  taxId: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  address: Address.partial().optional(),
  contactId: z.string().optional(),
  contactName: z.string().optional(),
  locale: z.string().optional(),
});
