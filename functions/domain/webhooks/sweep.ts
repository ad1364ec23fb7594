/**
 * The order of a retry sweep: due deliveries interleaved by tenant (round-robin, each tenant's soonest
 * first), so one tenant's backlog of failing deliveries never holds another tenant's retries back.
 */
export function fairOrder<T extends { tenantId: string }>(due: readonly T[], limit: number): T[] {
  const byTenant = new Map<string, T[]>();
  for (const d of due) {
    const queue = byTenant.get(d.tenantId);
    if (queue) queue.push(d);
    else byTenant.set(d.tenantId, [d]);
  }
  const queues = [...byTenant.values()];
  const out: T[] = [];
  for (let i = 0; out.length < limit && queues.some((q) => q.length > i); i++) {
    for (const q of queues) if (i < q.length && out.length < limit) out.push(q[i]);
  }
  return out;
}
