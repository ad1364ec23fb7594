/** Clients' wiring: companies, contacts and products as tenant-owned records. */
import { clientRecords } from '../../adapters/dynamo/clients/clients-repository';
import { once, service } from './core';

export const clientRepositories = /* @__PURE__ */ once(() => clientRecords(service()));
