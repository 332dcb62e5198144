import type { Readable } from 'node:stream';
import type { Client as MinioClient } from 'minio';
import type { StoredObjectView } from '../api/contract.js';
import { DomainError } from '../errors.js';
import { keyProblem } from './key-rules.js';
import { ensureBucket, viaMinio } from './minio-calls.js';

export const STORAGE_BUCKET = 'apprun-storage';
/** The largest object PUT accepts (the gateway holds one upload in memory while it writes it to MinIO). */
export const MAX_OBJECT_BYTES = 10 * 1024 * 1024;
const MAX_LISTED = 1000;

/** Refuses a key the rules in key-rules.ts refuse, saying which rule. */
export function checkKey(key: string): void {
  const reason = keyProblem(key);
  if (reason)
    throw new DomainError(
      'invalid',
      'invalid_key',
      `${reason}: keys are slash-separated names like "reports/2026/q1.csv"`,
    );
}

/** A listing prefix: like a key, but it may be empty or end with a slash. */
export function checkPrefix(prefix: string): void {
  if (prefix === '') return;
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

const isMissing = (err: unknown) => ['NoSuchKey', 'NotFound'].includes((err as { code?: string }).code ?? '');

/**
 * Tenant-scoped objects in one MinIO bucket: every object name is "<tenant id>/<key>", and every operation builds that
 * name from the caller's token, so no key a caller can write reaches another tenant's objects.
 */
export class StorageService {
  constructor(private readonly minio: MinioClient) {}

  async start(): Promise<void> {
    await ensureBucket(this.minio, STORAGE_BUCKET);
  }

  private name(tenant: string, key: string): string {
    checkKey(key);
    return `${tenant}/${key}`;
  }

  private notFound(key: string): DomainError {
    return new DomainError('not_found', 'not_found', `no object "${key}" in your tenant`);
  }

  async stat(tenant: string, key: string): Promise<StoredObjectView> {
    try {
      const stat = await viaMinio(() => this.minio.statObject(STORAGE_BUCKET, this.name(tenant, key)));
      return {
        key,
        size: stat.size,
        etag: stat.etag,
        lastModified: stat.lastModified.toISOString(),
        contentType: String(stat.metaData['content-type'] ?? 'application/octet-stream'),
      };
    } catch (err) {
      if (isMissing(err)) throw this.notFound(key);
      throw err;
    }
  }

  /** Writes (or replaces) an object; `created` says which. */
  async put(
    tenant: string,
    key: string,
    body: Buffer,
    contentType: string,
  ): Promise<{ object: StoredObjectView; created: boolean }> {
    const name = this.name(tenant, key);
    const created = await this.stat(tenant, key).then(
      () => false,
      (err: unknown) => {
        if (err instanceof DomainError && err.kind === 'not_found') return true;
        throw err;
      },
    );
    const { etag } = await viaMinio(() =>
      this.minio.putObject(STORAGE_BUCKET, name, body, body.byteLength, { 'Content-Type': contentType }),
    );
    return {
      object: { key, size: body.byteLength, etag, lastModified: new Date().toISOString(), contentType },
      created,
    };
  }

  async get(tenant: string, key: string): Promise<{ object: StoredObjectView; stream: Readable }> {
    const object = await this.stat(tenant, key);
    try {
      return { object, stream: await viaMinio(() => this.minio.getObject(STORAGE_BUCKET, this.name(tenant, key))) };
    } catch (err) {
      if (isMissing(err)) throw this.notFound(key);
      throw err;
    }
  }

  async remove(tenant: string, key: string): Promise<void> {
    await this.stat(tenant, key);
    await viaMinio(() => this.minio.removeObject(STORAGE_BUCKET, this.name(tenant, key)));
  }

  async list(tenant: string, prefix: string): Promise<{ objects: StoredObjectView[]; truncated: boolean }> {
    checkPrefix(prefix);
    return viaMinio(async () => {
      const objects: StoredObjectView[] = [];
      const stream = this.minio.listObjectsV2(STORAGE_BUCKET, `${tenant}/${prefix}`, true);
      for await (const item of stream as AsyncIterable<{
        name?: string;
        size: number;
        etag: string;
        lastModified: Date;
      }>) {
        if (!item.name) continue;
        if (objects.length === MAX_LISTED) {
          stream.destroy();
          return { objects, truncated: true };
        }
        objects.push({
          key: item.name.slice(tenant.length + 1),
          size: item.size,
          etag: item.etag,
          lastModified: item.lastModified.toISOString(),
        });
      }
      return { objects, truncated: false };
    });
  }

  /** A URL that reads the object straight from MinIO (on 127.0.0.1) until it expires. */
  async presign(tenant: string, key: string, seconds: number): Promise<{ url: string; expiresAt: string }> {
    await this.stat(tenant, key);
    const url = await viaMinio(() => this.minio.presignedGetObject(STORAGE_BUCKET, this.name(tenant, key), seconds));
    return { url, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() };
  }
}
