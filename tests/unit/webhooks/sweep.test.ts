import { describe, expect, it } from 'vitest';
import { WebhookSweep } from '../../../functions/domain/webhooks';

describe('webhook sweep order', () => {
  it('interleaves tenants, so a backlog of one tenant never holds the others back', () => {
    // Prepare: tenant a has 5 due deliveries (a dead endpoint), b and c one each, all due before b's and c's
    const due = [...Array.from({ length: 5 }, (_, i) => ({ tenantId: 'a', id: `a${i}` })), { tenantId: 'b', id: 'b0' }, { tenantId: 'c', id: 'c0' }];

    // Act
    const order = WebhookSweep.fairOrder(due, 4);

    // Assess
    expect(order.map((d) => d.id)).toEqual(['a0', 'b0', 'c0', 'a1']);
    expect(WebhookSweep.fairOrder(due, 100).map((d) => d.id)).toEqual(['a0', 'b0', 'c0', 'a1', 'a2', 'a3', 'a4']);
    expect(WebhookSweep.fairOrder([], 10)).toEqual([]);
  });
});
