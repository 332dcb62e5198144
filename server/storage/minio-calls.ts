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
/**
 * Makes the bucket unless it exists. At start-up MinIO may be restarting under the supervisor (a busy machine): a
 * dropped or refused connection is retried for up to 30 s before it counts as a failure.
 */
export async function ensureBucket(minio: MinioClient, bucket: string, retryForMs = 30_000): Promise<void> {
  const deadline = Date.now() + retryForMs;
  for (;;) {
    try {
      if (!(await minio.bucketExists(bucket))) await minio.makeBucket(bucket);
      return;
    } catch (err) {
      const transient = /ECONNRESET|ECONNREFUSED|socket hang up|EPIPE/i.test(
        `${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`,
      );
      if (!transient || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
