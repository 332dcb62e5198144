import type { Client as MinioClient } from 'minio';
import { DomainError } from '../errors.js';

const OUTAGE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/** One MinIO call: when MinIO is down, a 503 that says so instead of a 500 (object storage and function modules). */
export async function viaMinio<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (OUTAGE.has((err as { code?: string }).code ?? '')) {
      throw new DomainError(
        'unavailable',
        'storage_unavailable',
        'MinIO is not answering; objects and function modules are back when it is (see the minio service in the ' +
          'dashboard)',
      );
    }
    throw err;
  }
}

/** Creates the bucket on first start. */
export async function ensureBucket(minio: MinioClient, bucket: string): Promise<void> {
  if (!(await minio.bucketExists(bucket))) await minio.makeBucket(bucket);
}
