import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../shared/config';
import type { ObjectStorage } from '../../domain/kernel';

/**
 * The S3 client and presigner are loaded on first use, not at cold start: most requests of the functions that
 * may touch documents (a quote's PATCH, a settings GET) never do, and the two packages are a third of their
 * import time (measured in `npm run bench`, cold start).
 */
const sdk = async () => ({ ...(await import('@aws-sdk/client-s3')), ...(await import('@aws-sdk/s3-request-presigner')) });

/**
 * The private documents bucket. Objects are never public: clients get presigned GET URLs that
 * live minutes, minted per request (a presigned URL dies with the credentials that signed it).
 */
export function createS3Storage(cfg: Pick<Config, 'AWS_REGION' | 'S3_ENDPOINT' | 'BUCKET_NAME' | 'PRESIGN_TTL_SECONDS'>): ObjectStorage {
  let client: Promise<{ s3: S3Client; lib: Awaited<ReturnType<typeof sdk>> }> | undefined;
  const connect = () =>
    (client ??= sdk().then((lib) => ({
      lib,
      s3: new lib.S3Client({
        region: cfg.AWS_REGION,
        ...(cfg.S3_ENDPOINT ? { endpoint: cfg.S3_ENDPOINT, forcePathStyle: true } : {}),
        // Checksums only when S3 requires them (s3rver does not speak the newer trailing-checksum framing).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    })));
  const Bucket = cfg.BUCKET_NAME;
  return {
    async put(key, body, contentType, metadata = {}) {
      const { s3, lib } = await connect();
      await s3.send(
        new lib.PutObjectCommand({
          Bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          Metadata: metadata,
          ServerSideEncryption: cfg.S3_ENDPOINT ? undefined : 'AES256',
        }),
      );
    },
    async get(key) {
      const { s3, lib } = await connect();
      const res = await s3.send(new lib.GetObjectCommand({ Bucket, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },
    async presignGet(key, options = {}) {
      const { s3, lib } = await connect();
      return lib.getSignedUrl(
        s3,
        new lib.GetObjectCommand({
          Bucket,
          Key: key,
          ...(options.downloadName ? { ResponseContentDisposition: `inline; filename="${options.downloadName.replace(/[^\w.-]/g, '_')}"` } : {}),
          ResponseContentType: options.contentType,
        }),
        { expiresIn: options.expiresInSeconds ?? cfg.PRESIGN_TTL_SECONDS },
      );
    },
  };
}
