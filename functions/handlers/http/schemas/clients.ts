import * as z from 'zod';
import {
  Address,
  BankAccount,
  Meta,
  clientLocale,
  currencyCode,
  decimalString,
  email,
  optionalText,
  patchOf,
  percent,
  phone,
  resourceId,
  text,
} from './common';

/** Read only: the phone in E.164, beside the form given (what SMS go to). */
const phoneE164 = z.string().optional().describe('The phone in E.164 (+34600123456), derived from `phone` and the address country');

const companyShape = {
  name: text(200),
  legalName: optionalText(200),
  legalForm: optionalText(50),
  taxId: z
    .string()
    .trim()
    .min(2)
    .max(32)
    .regex(/^[A-Za-z0-9 .\-/]+$/, 'must be a tax id (letters, digits, . - /)')
    .optional(),
  email: email.optional(),
  phone: phone.optional(),
  address: Address,
  bankAccount: BankAccount.optional(),
  responsibleUserId: z.string().max(64).optional(),
  locale: clientLocale.optional(),
};
export const CompanyCreate = z.strictObject(companyShape);
export const CompanyPatch = patchOf(companyShape, ['legalName', 'legalForm', 'taxId', 'email', 'phone', 'bankAccount', 'responsibleUserId', 'locale']);
export const Company = z.object({ ...companyShape, phoneE164, ...Meta });

const contactShape = {
  firstName: text(100),
  lastName: text(100),
  email: email.optional(),
  phone: phone.optional(),
  companyId: resourceId('cmp').optional(),
  address: Address.optional(),
  taxId: z.string().trim().min(2).max(32).optional(),
  responsibleUserId: z.string().max(64).optional(),
  locale: clientLocale.optional(),
};
export const ContactCreate = z.strictObject(contactShape);
export const ContactPatch = patchOf(contactShape, ['email', 'phone', 'companyId', 'address', 'taxId', 'responsibleUserId', 'locale']);
export const Contact = z.object({ ...contactShape, phoneE164, ...Meta });

const productShape = {
  name: text(200),
  description: optionalText(2000),
  unitPrice: decimalString({ maxScale: 4 }),
  currency: currencyCode,
  taxRate: percent,
  unit: optionalText(20),
  sku: optionalText(64),
};
export const ProductCreate = z.strictObject(productShape);
export const ProductPatch = patchOf(productShape, ['description', 'unit', 'sku']);
export const Product = z.object({ ...productShape, ...Meta });
