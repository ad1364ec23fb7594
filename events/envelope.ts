import * as z from 'zod';

/** Every event on the bus comes from this source. */
export const EVENT_SOURCE = 'crm.invoicing';

/** What every event's detail carries. */
export const baseDetail = z.object({
  eventId: z.string().min(1),
  tenantId: z.string().min(1),
  occurredAt: z.string(),
});

export interface EventDefinition<T extends z.ZodType = z.ZodType> {
  detailType: string;
  version: number;
  description: string;
  schema: T;
}

export function defineEvent<S extends z.ZodRawShape>(detailType: string, description: string, shape: S, version = 1) {
  return { detailType, version, description, schema: baseDetail.extend(shape) } as const;
}
