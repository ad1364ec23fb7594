/**
 * Document templates of a tenant: Handlebars HTML, validated on upload, the source kept in S3 (one object per
 * version) and the metadata in the table. The built-in standard template (`standard`) is read-only and
 * prints each kind of document with its own layout.
 */
import type { Owned } from '../kernel';

/** The built-in standard template's id: read-only, prints each kind of document with its own layout. */
export const BUILTIN_TEMPLATE_ID = 'standard';

export const TEMPLATE_KINDS = ['invoice', 'quote', 'credit_note'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

/** Largest template source, in bytes (UTF-8). */
export const MAX_TEMPLATE_BYTES = 256 * 1024;

export interface TemplateRecord extends Owned {
  name: string;
  kind: TemplateKind;
  /** The key of this version's source in the documents bucket. */
  s3Key: string;
  size: number;
  sha256: string;
  createdBy: string;
  updatedBy: string;
}

export const isBuiltin = (id: string) => id === BUILTIN_TEMPLATE_ID;

/**
 * `tenant/{tenantId}/templates/{templateId}/{version}-{sha8}.hbs`: the content's hash in the key keeps two
 * concurrent updates of the same version (one of which loses the version check) from overwriting each
 * other's source, so the metadata that wins always points at its own bytes.
 */
export function sourceKey(tenantId: string, templateId: string, version: number, sha256: string): string {
  return `tenant/${tenantId}/templates/${templateId}/${version}-${sha256.slice(0, 8)}.hbs`;
}

/** Template metadata as the API shows it. */
export function view(t: TemplateRecord) {
  return {
    id: t.id,
    name: t.name,
    kind: t.kind as TemplateKind | 'any',
    builtin: false,
    version: t.version,
    size: t.size,
    sha256: t.sha256,
    createdBy: t.createdBy,
    updatedBy: t.updatedBy,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

/** The built-in template as the API lists it. */
export function builtinView() {
  return {
    id: BUILTIN_TEMPLATE_ID,
    name: 'Standard',
    kind: 'any' as const,
    builtin: true,
    version: 1,
    size: null,
    sha256: null,
    createdBy: 'system',
    updatedBy: 'system',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

export type { TemplateRecord as Info };
