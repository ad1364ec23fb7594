import * as z from 'zod';
import { defineEvent } from './envelope';

export const leadConverted = defineEvent('lead.converted', 'A lead was converted into a deal with a contact (and a company for a legal entity).', () => ({
  leadId: z.string(),
  dealId: z.string(),
  contactId: z.string(),
  companyId: z.string().optional(),
  /** True when the conversion linked an existing contact / company instead of creating one. */
  reusedContact: z.boolean(),
  reusedCompany: z.boolean(),
}));
