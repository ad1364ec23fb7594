import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Config } from '../../shared/config';
import type { ObjectStorage } from '../../domain/kernel';

/**
 * The private documents bucket. Objects are never public: clients get presigned GET URLs that
 * live minutes, minted per request (a presigned URL dies with the credentials that signed it).
 */
export function createS3Storage(cfg: Pick<Config, 'AWS_REGION' | 'S3_ENDPOINT' | 'BUCKET_NAME' | 'PRESIGN_TTL_SECONDS'>): ObjectStorage {
  const client = new S3Client({
    region: cfg.AWS_REGION,
    ...(cfg.S3_ENDPOINT ? { endpoint: cfg.S3_ENDPOINT, forcePathStyle: true } : {}),
    // Checksums only when S3 requires them (s3rver does not speak the newer trailing-checksum framing).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = cfg.BUCKET_NAME;
  return {
    async put(key, body, contentType, metadata = {}) {
      await client.send(
        new PutObjectCommand({
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
      const res = await client.send(new GetObjectCommand({ Bucket, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },
    async presignGet(key, options = {}) {
      return getSignedUrl(
        client,
        new GetObjectCommand({
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
