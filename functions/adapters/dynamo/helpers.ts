import type { PendingEvent } from '../../domain/sales/pipeline-settings';
import { newId, nowIso } from '../../domain/kernel/ids';
import { InvalidInput } from '../../domain/kernel/errors';
import type { Page, PageRequest } from '../../domain/kernel/ports';
import { isInvalidCursor } from './errors';

/**
 * A newest-first page of one entity, through the index that serves the first filter given
 * (`indexes`, in order of preference: filter attribute -> index name), else its primary index.
 * Every key starts with the tenant, so a query never leaves the caller's tenant.
 */
export async function listBy<T>(
  entity: any,
  tenantId: string,
  filter: Record<string, string | undefined>,
  indexes: [attribute: string, index: string][],
  page: PageRequest,
): Promise<Page<T>> {
  const chosen = indexes.find(([attribute]) => filter[attribute]);
  const rest = Object.entries(filter).filter(([attribute, value]) => value && attribute !== chosen?.[0]);
  let query = chosen
    ? entity.query[chosen[1]]({ tenantId, [chosen[0]]: filter[chosen[0]] })
    : entity.query.byId({ tenantId });
  if (rest.length) {
    // other filters narrow the chosen index's results (a page may then hold fewer than `limit` items)
    query = query.where((attr: any, { eq }: any) => rest.map(([attribute, value]) => eq(attr[attribute], value)).join(' AND '));
  }
  try {
    const result = await query.go({ limit: page.limit, cursor: page.cursor ?? null, order: 'desc' });
    return { data: result.data as T[], nextCursor: result.cursor ?? null };
  } catch (error) {
    if (isInvalidCursor(error)) throw new InvalidInput('the cursor is not valid', [{ field: 'cursor', message: 'invalid' }]);
    throw error;
  }
}

/** Which item of a canceled transaction refused, by ElectroDB's cancellation data. */
export function rejectedItems(result: { canceled: boolean; data?: unknown }): { index: number; code: string }[] {
  const data = (Array.isArray(result.data) ? result.data : []) as { rejected?: boolean; code?: string }[];
  return data.flatMap((item, index) => (item?.rejected ? [{ index, code: item.code ?? 'Unknown' }] : []));
}

const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;

/** The outbox item of a pending event (written in a transaction; the stream publishes it, TTL removes it). */
export function outboxItem(event: PendingEvent) {
  const createdAt = nowIso();
  return {
    tenantId: event.tenantId,
    eventId: newId('event'),
    detailType: event.detailType,
    detail: event.detail,
    createdAt,
    ttl: Math.floor(Date.parse(createdAt) / 1000) + OUTBOX_TTL_SECONDS,
  };
}
