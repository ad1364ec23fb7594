import { RuleViolation } from '../../domain/kernel';
import { crudRoutes } from './crud-routes';
import { httpApi } from '../../shared/http/api';
import { clientRepositories as repositories } from '../../shared/wiring/clients';
import { httpDeps } from '../../shared/wiring/http';
import { Contact, ContactCreate, ContactPatch } from './schemas/clients';

export const routes = crudRoutes({
  path: '/v1/contacts',
  resource: 'contacts',
  label: 'contact',
  kind: 'contact',
  create: ContactCreate,
  patch: ContactPatch,
  view: Contact,
  repo: () => repositories().contacts,
  lookupKeys: true,
  taxIds: true,
  check: async (caller, input) => {
    if (input.companyId && !(await repositories().companies.get(caller.tenantId, input.companyId))) {
      throw new RuleViolation('the contact links to a company that does not exist', [{ field: 'companyId', message: 'no such company' }]);
    }
  },
});

export const handler = httpApi(routes, httpDeps);
