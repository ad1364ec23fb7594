import * as z from 'zod';
import { Deal, stageId } from './deals';
import { Company, Contact } from './clients';
import { ListQuery, Meta, email, optionalText, phone, text } from './common';

const taxId = z
  .string()
  .trim()
  .min(2)
  .max(32)
  .regex(/^[A-Za-z0-9 .\-/]+$/, 'must be a tax id (letters, digits, . - /)');
const userId = z.string().max(64);

const LeadContact = z.strictObject({
  firstName: text(100),
  lastName: text(100),
  email: email.optional(),
  phone: phone.optional().describe('With its country code (+34 600 123 456): a lead has no address to read a national number in'),
});
const LeadContactView = LeadContact.extend({ phoneE164: z.string().optional().describe('The phone in E.164 (+34600123456)') });
const LeadCompany = z.strictObject({ name: text(200), taxId: taxId.optional() });

export const LeadCreate = z.strictObject({
  title: text(200),
  contact: LeadContact,
  company: LeadCompany.optional(),
  city: optionalText(100),
  topic: optionalText(500),
  stage: stageId.optional(),
  responsibleUserId: userId.optional(),
});

/** PATCH: `contact` and `company` merge into what the lead has; null clears an optional field (or the company). */
export const LeadPatch = z.strictObject({
  title: text(200).optional(),
  contact: z
    .strictObject({
      firstName: text(100).optional(),
      lastName: text(100).optional(),
      email: email.nullable().optional(),
      phone: phone.nullable().optional(),
    })
    .optional(),
  company: z
    .strictObject({ name: text(200).optional(), taxId: taxId.nullable().optional() })
    .nullable()
    .optional(),
  city: z.string().trim().min(1).max(100).nullable().optional(),
  topic: z.string().trim().min(1).max(500).nullable().optional(),
  responsibleUserId: userId.nullable().optional(),
  version: z.number().int().min(1).optional(),
});

export const Lead = z.object({
  title: z.string(),
  contact: LeadContactView,
  company: LeadCompany.optional(),
  city: z.string().optional(),
  topic: z.string().optional(),
  stage: z.string(),
  status: z.enum(['open', 'converted', 'junk']),
  responsibleUserId: z.string().optional(),
  links: z.object({ dealId: z.string(), contactId: z.string(), companyId: z.string().optional() }).optional(),
  convertedAt: z.string().optional(),
  closedAt: z.string().optional(),
  ...Meta,
});

export const LeadListQuery = z.strictObject({ ...ListQuery.shape, stage: stageId.optional() });

export const ConvertLead = z.strictObject({
  /** What to do when existing clients match: link the best match ('use') or create new ones ('create'). */
  onDuplicate: z.enum(['use', 'create']).optional(),
  dealTitle: text(200).optional(),
  /** The new deal's currency (default: the tenant's default currency, else EUR). */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. EUR')
    .optional(),
  version: z.number().int().min(1).optional(),
});

export const Conversion = z.object({
  deal: Deal,
  contact: Contact,
  company: Company.optional(),
  lead: Lead,
  reused: z.object({ contact: z.boolean(), company: z.boolean() }),
});
