/** The private documents bucket (S3): PDFs, template sources, settings images, drawn signatures. */
import { createS3Storage } from '../../adapters/storage/s3-storage';
import { config } from '../config';
import { once } from './core';

export const storage = /* @__PURE__ */ once(() => createS3Storage(config()));
