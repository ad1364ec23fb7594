/**
 * Ports: what the domain needs from the outside world, as plain interfaces.
 * Adapters (functions/adapters) implement them; unit tests pass in-memory fakes (tests/fixtures/).
 * The ports of one area live in that area (e.g. delivery's Mailer and SmsSender).
 */
export interface Owned {
  tenantId: string;
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string | null;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface CrudRepository<T extends Owned> {
  create(item: T): Promise<T>;
  get(tenantId: string, id: string): Promise<T | null>;
  list(tenantId: string, page: PageRequest): Promise<Page<T>>;
  /** `null` in changes removes the attribute. Throws NotFound or Conflict (stale version). */
  update(tenantId: string, id: string, changes: Record<string, unknown>, expectedVersion?: number): Promise<T>;
  remove(tenantId: string, id: string, expectedVersion?: number): Promise<void>;
}

export interface ObjectStorage {
  put(key: string, body: Uint8Array, contentType: string, metadata?: Record<string, string>): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** A GET URL valid for minutes, minted now. */
  presignGet(key: string, options?: { expiresInSeconds?: number; downloadName?: string; contentType?: string }): Promise<string>;
}
