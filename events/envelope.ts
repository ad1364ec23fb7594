import * as z from 'zod';

/** Every event on the bus comes from this source. */
export const EVENT_SOURCE = 'crm.invoicing';

/** What every event's detail carries. */
const baseShape = () => ({
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

/**
 * An event of the catalog. Its schema is built on first use, from a function giving its fields: a function
 * that only writes a few events never builds the other schemas at cold start (`npm run bench`, cold start).
 */
export function defineEvent<S extends z.ZodRawShape>(detailType: string, description: string, shape: () => S, version = 1) {
  let schema: z.ZodObject<ReturnType<typeof baseShape> & S> | undefined;
  return {
    detailType,
    version,
    description,
    get schema() {
      schema ??= z.object({ ...baseShape(), ...shape() });
      return schema;
    },
  } as const;
}
