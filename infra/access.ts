/**
 * What each `access` kind of infra/functions.ts allows, as IAM actions and resources: the one table the CDK grant
 * derivation (infra/constructs/app-function.ts) reads. Pure data, no imports of function code.
 *
 * DynamoDB: transactions are authorized per item (TransactWriteItems needs PutItem / UpdateItem / DeleteItem /
 * ConditionCheckItem on each item it touches), so the kinds below list item actions only. BatchWriteItem (many puts
 * or deletes in one call) has a kind of its own, declared only where a batch write is made (the bank statement
 * import's rows); no kind grants DescribeTable; Scan has a kind of its own that no request path declares.
 *
 * S3: object keys start with the tenant (`tenant/{tenantId}/{area}/...`); a function serves every tenant, so the
 * tenant part of each prefix is a wildcard, and tenancy is enforced where the key is built (the domain's key
 * functions; tests/infra/access.test.ts checks that they fall under these prefixes).
 */

/** Read items: get, batch get, query (the table and its indexes). */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
/** Create and change items, and condition checks in transactions; never delete. */
export const TABLE_WRITE_ACTIONS = [...TABLE_READ_ACTIONS, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'] as const;
/** Everything a request path may do to items, deletes included (CRUD deletes, released claims, Idempotency-Key records). */
export const TABLE_ACTIONS = [...TABLE_WRITE_ACTIONS, 'dynamodb:DeleteItem'] as const;
export const TABLE_SCAN_ACTIONS = ['dynamodb:Scan'] as const;
/** Batch puts (ElectroDB's `entity.put([...])`): BatchWriteItem, which could batch deletes too. */
export const TABLE_BATCH_WRITE_ACTIONS = ['dynamodb:BatchWriteItem'] as const;

/** The areas of the documents bucket, by the key prefix their objects live under. */
export const BUCKET_AREAS = {
  /** Rendered PDFs: `tenant/{t}/documents/{subjectType}/{subjectId}/{documentId}.pdf` */
  documents: 'tenant/*/documents/*',
  /** Signatures drawn on the public quote page: `tenant/{t}/quotes/{quoteId}/signature-{sha8}.png` */
  signatures: 'tenant/*/quotes/*',
  /** Logo, stamp and signature images of the settings: `tenant/{t}/assets/{name}-{sha8}.{ext}` */
  assets: 'tenant/*/assets/*',
  /** Sources of tenant templates: `tenant/{t}/templates/{templateId}/{version}-{sha8}.hbs` */
  templates: 'tenant/*/templates/*',
  /** Files of export jobs (reports of large periods): `tenant/{t}/exports/{exportId}.{csv|xlsx|json}` */
  exports: 'tenant/*/exports/*',
} as const;
export type BucketArea = keyof typeof BUCKET_AREAS;

export const BUCKET_READ_ACTIONS = ['s3:GetObject'] as const;
export const BUCKET_WRITE_ACTIONS = ['s3:PutObject'] as const;

/**
 * Tenant secrets by area: the KMS encryption context's `purpose` of that area's secrets (kernel/secrets.ts).
 * A grant of one area holds only under that purpose, so a function of another area cannot open them.
 */
export const SECRET_AREAS = {
  /** Webhook signing secrets: purpose `webhooks.<subscription id>`. */
  webhooks: 'webhooks.*',
  /** Card provider keys: purpose `payments.<...>`. */
  payments: 'payments.*',
  /** Stored answers of Idempotency-Key that carry a secret (a new API key, a new signing secret): purpose `idempotent-answer`. */
  idempotentAnswers: 'idempotent-answer',
} as const;
export type SecretArea = keyof typeof SECRET_AREAS;

/** KMS actions of the secrets kinds. */
export const SECRETS_SEAL_ACTIONS = ['kms:Encrypt'] as const;
export const SECRETS_OPEN_ACTIONS = ['kms:Decrypt'] as const;

/** The KMS grants of a function's access list: encryption-context purposes per action (empty: no secrets access). */
export function secretGrants(access: readonly Access[]): { seal: string[]; open: string[] } {
  const seal = new Set<string>();
  const open = new Set<string>();
  for (const item of access) {
    if (!item.startsWith('secretsSeal:') && !item.startsWith('secretsOpen:')) continue;
    const [kind, area] = item.split(':') as ['secretsSeal' | 'secretsOpen', SecretArea];
    const purpose = SECRET_AREAS[area];
    if (!purpose) throw new Error(`infra/functions.ts: unknown secrets area in "${item}"; known: ${Object.keys(SECRET_AREAS).join(', ')}`);
    (kind === 'secretsSeal' ? seal : open).add(purpose);
  }
  return { seal: [...seal].sort(), open: [...open].sort() };
}

/**
 * What a function may touch. IAM grants follow from this list and nothing else.
 *  - `table`: read, write and delete items (no Scan, no BatchWriteItem); `tableWrite`: read and write, never delete;
 *    `tableRead`: read only; `tableScan`: Scan (jobs that walk the table, never a request path);
 *    `tableBatchWrite`: BatchWriteItem (only where a batch put is made).
 *  - `bucketRead:<area>` / `bucketWrite:<area>`: GetObject / PutObject under that area's prefix (BUCKET_AREAS);
 *    `bucketRead` / `bucket`: GetObject / GetObject + PutObject on every object (prefer the areas).
 *  - `bus`: PutEvents on the service bus; `ses`: send as the configured identity; `sns`: publish SMS (no topics).
 *  - `secretsSeal:<area>` / `secretsOpen:<area>`: kms:Encrypt / kms:Decrypt with the secrets key, only under that
 *    area's encryption-context purpose (SECRET_AREAS); the function is told the key (SECRETS_KMS_KEY_ID).
 */
export type Access =
  | 'table'
  | 'tableWrite'
  | 'tableRead'
  | 'tableScan'
  | 'tableBatchWrite'
  | 'bucket'
  | 'bucketRead'
  | `bucketRead:${BucketArea}`
  | `bucketWrite:${BucketArea}`
  | 'bus'
  | 'ses'
  | 'sns'
  | `secretsSeal:${SecretArea}`
  | `secretsOpen:${SecretArea}`;

/** The DynamoDB actions of a function's access list (the union of its table kinds). */
export function tableActions(access: readonly Access[]): string[] {
  const actions = new Set<string>();
  const add = (list: readonly string[]) => list.forEach((a) => actions.add(a));
  for (const item of access) {
    if (item === 'table') add(TABLE_ACTIONS);
    else if (item === 'tableWrite') add(TABLE_WRITE_ACTIONS);
    else if (item === 'tableRead') add(TABLE_READ_ACTIONS);
    else if (item === 'tableScan') add(TABLE_SCAN_ACTIONS);
    else if (item === 'tableBatchWrite') add(TABLE_BATCH_WRITE_ACTIONS);
  }
  return [...actions];
}

/** The S3 grants of a function's access list: object key patterns (relative to the bucket) per action. */
export function bucketGrants(access: readonly Access[]): { read: string[]; write: string[] } {
  const read = new Set<string>();
  const write = new Set<string>();
  for (const item of access) {
    if (item === 'bucket' || item === 'bucketRead') {
      read.add('*');
      if (item === 'bucket') write.add('*');
    } else if (item.startsWith('bucketRead:') || item.startsWith('bucketWrite:')) {
      const [kind, area] = item.split(':') as ['bucketRead' | 'bucketWrite', BucketArea];
      const prefix = BUCKET_AREAS[area];
      if (!prefix) throw new Error(`infra/functions.ts: unknown bucket area in "${item}"; known: ${Object.keys(BUCKET_AREAS).join(', ')}`);
      (kind === 'bucketRead' ? read : write).add(prefix);
    }
  }
  // A whole-bucket grant covers every prefix.
  const narrow = (set: Set<string>) => (set.has('*') ? ['*'] : [...set].sort());
  return { read: narrow(read), write: narrow(write) };
}
