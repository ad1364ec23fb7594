/** Automation rules, runs and messages on the table (no mail or SMS client: the rules API needs none). */
import { deliveryRepository } from '../../adapters/dynamo/delivery/delivery-repository';
import { once, service } from './core';

export const delivery = /* @__PURE__ */ once(() => deliveryRepository(service()));
