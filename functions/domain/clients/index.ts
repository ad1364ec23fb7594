/**
 * Clients: companies and contacts (the tenant's customers), their lookup keys and duplicates, the
 * snapshot a quote or an invoice freezes, and the product catalogue. Imports only the kernel.
 *
 *   Client.snapshot(company, contact)   Client.resolve(directory, tenantId, ids)   Client.contactName(c)
 *   ClientLookup.keys(input)            ClientLookup.keyChanges(patch)             ClientLookup.taxIdKey(id)
 *   Duplicates.group(matches)           Duplicates.best(candidates, 'company')
 */
export * as Client from './client';
export * as ClientLookup from './lookup';
export * as Duplicates from './duplicates';
export type { Address, ClientDirectory, ClientKind, ClientSnapshot, CompanyRecord, ContactRecord } from './client';
export type { LookupKeys } from './lookup';
export type { DuplicateCandidate, DuplicateFinder, DuplicateKey, DuplicateMatch } from './duplicates';
export type { ProductCatalog, ProductRecord } from './product';
