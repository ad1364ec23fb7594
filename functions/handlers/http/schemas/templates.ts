import * as z from 'zod';
import { Template, TEMPLATE_KINDS } from '../../../domain/documents';

const { MAX_TEMPLATE_BYTES } = Template;
import { text } from './common';

const source = z
  .string()
  .min(1, 'must not be empty')
  .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_TEMPLATE_BYTES, `at most ${MAX_TEMPLATE_BYTES / 1024} KB`);

export const TemplateBody = z.strictObject({
  name: text(120),
  kind: z.enum(TEMPLATE_KINDS),
  /** Handlebars HTML (see templates/invoice/invoice.hbs for the model, helpers and partials). */
  source,
  version: z.number().int().min(1).optional(),
});

export const TemplateView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum([...TEMPLATE_KINDS, 'any']),
  builtin: z.boolean(),
  version: z.number(),
  size: z.number().nullable(),
  sha256: z.string().nullable(),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const TemplateWithSource = TemplateView.extend({ source: z.string().nullable() });

export const PreviewQuery = z.strictObject({
  kind: z.enum(['invoice', 'quote', 'credit_note', 'proforma']).optional(),
  locale: z.enum(['en', 'es', 'ru', 'ro']).optional(),
});
