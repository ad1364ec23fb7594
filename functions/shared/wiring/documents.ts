/** Documents' wiring: document records and public links, tenants' templates (metadata; sources in the bucket). */
import { documentsRepository } from '../../adapters/dynamo/documents/documents-repository';
import { templatesRepository } from '../../adapters/dynamo/documents/templates-repository';
import { once, service } from './core';

export const documents = /* @__PURE__ */ once(() => documentsRepository(service()));
export const templatesRepo = /* @__PURE__ */ once(() => templatesRepository(service()));
