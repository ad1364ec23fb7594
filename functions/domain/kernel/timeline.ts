/**
 * The timeline of a subject (an invoice, later a quote or a deal): what happened to it, who did it and
 * when, oldest first. One generic record shape, so every feature adds its own kinds of entries
 * (created, stage_changed, updated, document_created, message_sent, viewed, payment_recorded, ...)
 * without a new table design. Entries are written in the same transaction as the change they describe
 * whenever there is one (see functions/adapters/dynamo/kernel/timeline-repository.ts).
 */
import { newId } from './ids';
import type { Page, PageRequest } from './ports';

/** Who did it: an API user, an automation rule run, the client on a public link, or the system itself. */
export type ActorType = 'user' | 'automation' | 'client' | 'system';

export interface Actor {
  type: ActorType;
  /** The user id, the rule or run id, the public link token id, or a job name. */
  id: string;
}

export interface TimelineEntry {
  tenantId: string;
  /** tl_... (ULID: entries of the same instant keep their order). */
  id: string;
  subjectType: string;
  subjectId: string;
  /** What happened, past tense, snake_case: 'created', 'stage_changed', 'document_created', ... */
  kind: string;
  /** ISO 8601 UTC instant. */
  at: string;
  actor: Actor;
  /** Kind-specific details (e.g. { from, to } of a stage move). Plain JSON. */
  data: Record<string, unknown>;
}

export interface TimelineInput {
  tenantId: string;
  subjectType: string;
  subjectId: string;
  kind: string;
  actor: Actor;
  data?: Record<string, unknown>;
  /** Defaults to now. */
  at?: Date | string;
}

/** An actor as a string records it ("automation:rule_x", "client:link", "usr_x", "system") as a timeline actor. */
export function actorOf(actor: string): Actor {
  if (actor.startsWith('automation:')) return { type: 'automation', id: actor.slice(11) };
  if (actor.startsWith('client')) return { type: 'client', id: actor.split(':')[1] ?? 'public-link' };
  if (actor === 'system') return { type: 'system', id: 'system' };
  return { type: 'user', id: actor };
}

/** A new timeline entry, ready to be written (alone or inside the transaction of the change it records). */
export function timelineEntry(input: TimelineInput): TimelineEntry {
  const at = input.at === undefined ? new Date().toISOString() : typeof input.at === 'string' ? input.at : input.at.toISOString();
  return {
    tenantId: input.tenantId,
    id: newId('timeline'),
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    kind: input.kind,
    at,
    actor: { type: input.actor.type, id: input.actor.id },
    data: input.data ?? {},
  };
}

/** What the API shows of an entry. */
export function timelineView(entry: TimelineEntry) {
  const { tenantId: _tenant, ...rest } = entry;
  return rest;
}

/** Reading and appending timeline entries outside a transaction (adapters implement it). */
export interface TimelineStore {
  append(entry: TimelineEntry): Promise<void>;
  /** Oldest first. */
  list(tenantId: string, subjectId: string, page: PageRequest): Promise<Page<TimelineEntry>>;
}
