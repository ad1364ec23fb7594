/**
 * Stands in for `jsonschema` inside the deps layer's ElectroDB (see deps-layer.ts). ElectroDB validates each
 * model definition against a JSON schema when an entity or service is built: on every cold start, for
 * definitions that never change after the build. That takes about a third of a function's import time. The
 * test suite builds every entity with the real jsonschema (node_modules), so a bad model fails there; in the
 * layer, ElectroDB only needs the answer to "is this a plain model definition or an Entity instance?"
 * (util.getInstanceType), which this check gives.
 */
class Validator {
  addSchema() {}

  validate(instance) {
    const model =
      instance !== null &&
      typeof instance === 'object' &&
      Object.getPrototypeOf(instance) === Object.prototype &&
      typeof instance.attributes === 'object' &&
      typeof instance.indexes === 'object';
    return { errors: model ? [] : [{ property: 'instance', message: 'is not an ElectroDB model definition', argument: undefined }] };
  }
}
Validator.prototype.customFormats = {};

module.exports = { Validator };
