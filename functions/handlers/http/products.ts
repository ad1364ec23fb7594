import { crudRoutes } from './crud-routes';
import { httpApi } from '../../shared/http/api';
import { httpDeps, repositories } from '../../shared/wiring/core';
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
