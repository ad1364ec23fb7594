/**
 * The one call shape of every verb of every area: `verb(ports, command)`. A command names the tenant and
 * who acts; a command about one existing item names it by `id` and may carry the version the caller read
 * (`expectedVersion`: 409 when the item is no longer at it). Reads take a query (tenant and id).
 */
import type { Actor } from './timeline';

export interface Command {
  tenantId: string;
  actor: Actor;
}

export interface ItemCommand extends Command {
  id: string;
  expectedVersion?: number;
}

export interface ItemQuery {
  tenantId: string;
  id: string;
}
