import { crudRoutes } from './crud-routes';
import { httpApi } from '../../shared/http/api';
import { clientRepositories as repositories } from '../../shared/wiring/clients';
import { httpDeps } from '../../shared/wiring/http';
import { Product, ProductCreate, ProductPatch } from './schemas/clients';

export const routes = crudRoutes({
  path: '/v1/products',
  resource: 'products',
  label: 'product',
  kind: 'product',
  create: ProductCreate,
  patch: ProductPatch,
  view: Product,
  repo: () => repositories().products,
});

export const handler = httpApi(routes, httpDeps);
