/**
 * The single DynamoDB table's key design: read by the CDK stack (to deploy it) and by the local
 * runner and tests (to create it on DynamoDB Local). Pure data, no imports of function code.
 * Index names are generic; the ElectroDB entities give each one its access-pattern name.
 */
export const tableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'ttl',
  globalSecondaryIndexes: ['gsi1', 'gsi2', 'gsi3', 'gsi4'].map((name) => ({
    indexName: name,
    partitionKey: `${name}pk`,
    sortKey: `${name}sk`,
  })),
} as const;
