import { crudRoutes } from './crud-routes';
import { httpApi } from '../../shared/http/api';
import { clientRepositories as repositories } from '../../shared/wiring/clients';
import { httpDeps } from '../../shared/wiring/http';
import { Company, CompanyCreate, CompanyPatch } from './schemas/clients';

export const routes = crudRoutes({
  path: '/v1/companies',
  resource: 'companies',
  label: 'company',
  kind: 'company',
  create: CompanyCreate,
  patch: CompanyPatch,
  view: Company,
  repo: () => repositories().companies,
  lookupKeys: true,
  taxIds: true,
});

export const handler = httpApi(routes, httpDeps);
