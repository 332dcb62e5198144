import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client as MinioClient } from 'minio';
import type pg from 'pg';
import type { Static } from 'typebox';
import type { FunctionView } from '../api/contract.js';
import type { FunctionManifestSchema } from '../api/schemas/functions.js';
import { DomainError } from '../errors.js';
import type { ChangeFeed } from '../replica/change-feed.js';
import { ensureBucket, viaMinio } from '../storage/minio-calls.js';
import type { TenantPlans } from '../tenancy/tenant-plans.js';
import type { FunctionPool, PoolTimings } from './function-pool.js';
import { ModuleRejected } from './memory-cap.js';
import type { PreparationThread } from './preparation-thread.js';
import { DEFAULT_LIMITS, FunctionFailure, type Limits } from './sandbox.js';

export const FUNCTIONS_BUCKET = 'apprun-functions';
export const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const MAX_TIMEOUT_MS = 5000;
const MAX_MEMORY_MB = 64;
const MAX_ALLOWED_HOSTS = 16;
/** A host name or IP literal (IPv6 in brackets), optionally with a port; no wildcards, schemes or paths. */
const ALLOWED_HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

export type FunctionManifest = Static<typeof FunctionManifestSchema>;
/** A deployed function as the API shows it (created_at and the others arrive from Postgres as Dates). */
export type FunctionRecord = FunctionView;

function limitsOf(manifest: FunctionManifest): Partial<Limits> {
  return {
    ...(manifest.timeout_ms ? { timeoutMs: manifest.timeout_ms } : {}),
    ...(manifest.memory_mb ? { maxMemoryPages: manifest.memory_mb * 16 } : {}),
  };
}

export function checkManifest(manifest: FunctionManifest): void {
  if (
    manifest.timeout_ms !== undefined &&
    !(Number.isInteger(manifest.timeout_ms) && manifest.timeout_ms >= 1 && manifest.timeout_ms <= MAX_TIMEOUT_MS)
  ) {
    throw new DomainError('invalid', 'invalid_manifest', `timeout_ms must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
  }
  if (
    manifest.memory_mb !== undefined &&
    !(Number.isInteger(manifest.memory_mb) && manifest.memory_mb >= 1 && manifest.memory_mb <= MAX_MEMORY_MB)
  ) {
    throw new DomainError('invalid', 'invalid_manifest', `memory_mb must be an integer from 1 to ${MAX_MEMORY_MB}`);
  }
  const hosts: unknown = manifest.allowed_hosts;
  if (hosts !== undefined) {
    if (!Array.isArray(hosts) || hosts.length > MAX_ALLOWED_HOSTS)
      throw new DomainError(
        'invalid',
        'invalid_manifest',
        `allowed_hosts must be a list of at most ${MAX_ALLOWED_HOSTS} hosts`,
      );
    const bad = hosts.filter(
      (h) => typeof h !== 'string' || !ALLOWED_HOST.test(h) || Number(h.split(/:(?=\d+$)/)[1] ?? 1) > 65535,
    );
    if (bad.length) {
      throw new DomainError(
        'invalid',
        'invalid_manifest',
        `allowed_hosts entries are lowercase "host" or "host:port" (no scheme, path or wildcard): ` +
          `${bad.map((h) => JSON.stringify(h)).join(', ')}`,
      );
    }
  }
  const unknown = Object.keys(manifest).filter((k) => !['timeout_ms', 'memory_mb', 'allowed_hosts'].includes(k));
  if (unknown.length)
    throw new DomainError('invalid', 'invalid_manifest', `unknown manifest fields: ${unknown.join(', ')}`);
}

const networked = (manifest: FunctionManifest) => (manifest.allowed_hosts?.length ?? 0) > 0;
/** Bumped whenever preparation changes, so modules prepared by an older version are prepared again. */
const PREPARE_VERSION = 'v1';
/** Prepared modules kept in the gateway's memory for threads that have not compiled them yet; MinIO holds them all. */
const PREPARED_CACHE_BYTES = 64 * 1024 * 1024;
const encoder = new TextEncoder();

interface Loaded {
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * Tenant-scoped WebAssembly functions: the uploaded and the prepared module in MinIO (so they survive restarts and
 * a restart needs no preparation), metadata in Postgres, invocations on the function pool's threads. Preparation
 * (binaryen) runs on a thread of its own at deploy.
 */
export class FunctionService {
  /** Records by tenant/name: this service is their only writer, so invocations need no database round trip. */
  private readonly records = new Map<string, FunctionRecord>();
  /** Prepared modules by runtime key, least recently used first, within PREPARED_CACHE_BYTES. */
  private readonly prepared = new Map<string, Loaded>();
  private preparedBytes = 0;

  constructor(
    private readonly db: pg.Pool,
    private readonly minio: MinioClient,
    private readonly pool: FunctionPool,
    private readonly preparer: PreparationThread,
    private readonly plans: TenantPlans,
    /** Other gateways on the same database: a deploy or a removal there drops the record held here. */
    private readonly changes?: ChangeFeed,
  ) {
    changes?.on('functions', {
      changed: (data) => {
        const { tenant, name } = data as { tenant: string; name: string };
        this.records.delete(`${tenant}/${name}`);
      },
      resync: () => this.records.clear(),
    });
  }

  async start(): Promise<void> {
    await ensureBucket(this.minio, FUNCTIONS_BUCKET);
  }

  async stop(): Promise<void> {
    await Promise.all([this.pool.stop(), this.preparer.stop()]);
  }

  /** After a restore or reset: the records are read from the database again (the bucket is made if it is gone). */
  async restored(): Promise<void> {
    this.records.clear();
    await this.start();
  }

  /** Checks and instruments a module off the gateway's thread; a module the sandbox will not run is a 400. */
  private async prepare(
    bytes: Uint8Array<ArrayBuffer>,
    sha256: string,
    manifest: FunctionManifest,
    cacheDir?: string,
  ): Promise<Uint8Array<ArrayBuffer>> {
    const pages = limitsOf(manifest).maxMemoryPages ?? DEFAULT_LIMITS.maxMemoryPages;
    const cached =
      cacheDir && path.join(cacheDir, `prepared-${PREPARE_VERSION}-${sha256}-${pages}-${networked(manifest)}.wasm`);
    const hit = cached && (await fs.readFile(cached).catch(() => undefined));
    if (hit) return new Uint8Array(hit);
    try {
      const { bytes: prepared } = await this.preparer.prepare(bytes, pages, networked(manifest));
      if (cached) {
        await fs.mkdir(cacheDir, { recursive: true });
        await fs.writeFile(`${cached}.${process.pid}`, prepared);
        await fs.rename(`${cached}.${process.pid}`, cached);
      }
      return prepared;
    } catch (err) {
      if (err instanceof ModuleRejected) throw new DomainError('invalid', 'invalid_module', err.message);
      throw err;
    }
  }

  private objectKey(tenant: string, name: string): string {
    return `${tenant}/${name}.wasm`;
  }

  private preparedKey(tenant: string, record: Pick<FunctionRecord, 'name' | 'sha256'>): string {
    return `${tenant}/${record.name}.prepared-${PREPARE_VERSION}-${record.sha256}.wasm`;
  }

  private runtimeKey(tenant: string, record: Pick<FunctionRecord, 'name' | 'sha256'>): string {
    return `${tenant}/${record.name}/${record.sha256}`;
  }

  private remember(key: string, loaded: Loaded): void {
    this.forget(key);
    this.prepared.set(key, loaded);
    this.preparedBytes += loaded.bytes.byteLength;
    for (const [oldest, entry] of this.prepared) {
      if (this.preparedBytes <= PREPARED_CACHE_BYTES || oldest === key) break;
      this.prepared.delete(oldest);
      this.preparedBytes -= entry.bytes.byteLength;
    }
  }

  private forget(key: string): void {
    const entry = this.prepared.get(key);
    if (!entry) return;
    this.prepared.delete(key);
    this.preparedBytes -= entry.bytes.byteLength;
  }

  async deploy(
    tenant: string,
    name: string,
    bytes: Uint8Array<ArrayBuffer>,
    manifest: FunctionManifest,
    /**
     * preparedCache: a folder where the prepared module is kept by the module's checksum (the project's own functions,
     * deployed at every cold start: preparation is the slow part of a deploy).
     */
    options: { preparedCache?: string } = {},
  ): Promise<FunctionRecord> {
    if (!FUNCTION_NAME.test(name))
      throw new DomainError(
        'invalid',
        'invalid_name',
        'a function name is lowercase letters, digits and dashes, starting with a letter (at most 63)',
      );
    checkManifest(manifest);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const prepared = await this.prepare(bytes, sha256, manifest, options.preparedCache);
    await viaMinio(() =>
      this.minio.putObject(FUNCTIONS_BUCKET, this.objectKey(tenant, name), Buffer.from(bytes), bytes.byteLength, {
        'Content-Type': 'application/wasm',
      }),
    );
    await viaMinio(() =>
      this.minio.putObject(
        FUNCTIONS_BUCKET,
        this.preparedKey(tenant, { name, sha256 }),
        Buffer.from(prepared),
        prepared.byteLength,
        { 'Content-Type': 'application/wasm' },
      ),
    );
    const { rows } = await this.db.query<FunctionRecord>(
      `insert into app_private.functions (tenant_id, name, sha256, size_bytes, manifest) values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, name) do update set sha256 = excluded.sha256, size_bytes = excluded.size_bytes,
         manifest = excluded.manifest, updated_at = now(), last_error = null, last_error_at = null
       returning name, sha256, size_bytes, manifest, created_at, updated_at, last_error, last_error_at`,
      [tenant, name, sha256, bytes.byteLength, manifest],
    );
    const record = rows[0]!;
    const previous = this.records.get(`${tenant}/${name}`);
    if (previous) this.unload(tenant, previous);
    this.remember(this.runtimeKey(tenant, record), { bytes: prepared });
    this.records.set(`${tenant}/${name}`, record);
    void this.changes?.publish('functions', { tenant, name });
    return record;
  }

  private unload(tenant: string, record: FunctionRecord): void {
    const key = this.runtimeKey(tenant, record);
    this.forget(key);
    this.pool.unload(key);
  }

  async list(tenant: string): Promise<FunctionRecord[]> {
    const { rows } = await this.db.query<FunctionRecord>(
      'select name, sha256, size_bytes, manifest, created_at, updated_at, last_error, last_error_at from ' +
        'app_private.functions where tenant_id = $1 order by name',
      [tenant],
    );
    return rows;
  }

  async get(tenant: string, name: string): Promise<FunctionRecord> {
    const cached = this.records.get(`${tenant}/${name}`);
    if (cached) return cached;
    const { rows } = await this.db.query<FunctionRecord>(
      'select name, sha256, size_bytes, manifest, created_at, updated_at, last_error, last_error_at from ' +
        'app_private.functions where tenant_id = $1 and name = $2',
      [tenant, name],
    );
    if (!rows[0]) throw new DomainError('not_found', 'unknown_function', `no function "${name}" in your tenant`);
    this.records.set(`${tenant}/${name}`, rows[0]);
    return rows[0];
  }

  /**
   * The prepared module: from memory, else MinIO, else (deployed before modules were stored prepared) prepared again.
   */
  private async loaded(tenant: string, record: FunctionRecord): Promise<Loaded> {
    const key = this.runtimeKey(tenant, record);
    const hit = this.prepared.get(key);
    if (hit) return hit;
    let bytes = await this.fetch(this.preparedKey(tenant, record));
    if (!bytes) {
      const raw = await this.fetch(this.objectKey(tenant, record.name));
      if (!raw)
        throw new DomainError(
          'not_found',
          'unknown_function',
          `the module of "${record.name}" is missing from storage; deploy it again`,
        );
      bytes = await this.prepare(raw, record.sha256, record.manifest);
      await viaMinio(() =>
        this.minio.putObject(
          FUNCTIONS_BUCKET,
          this.preparedKey(tenant, record),
          Buffer.from(bytes!),
          bytes!.byteLength,
        ),
      );
    }
    const loaded = { bytes };
    this.remember(key, loaded);
    return loaded;
  }

  private async fetch(objectName: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of await viaMinio(() => this.minio.getObject(FUNCTIONS_BUCKET, objectName)))
        chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    } catch (err) {
      if ((err as { code?: string }).code === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async invoke(
    tenant: string,
    name: string,
    input: Uint8Array,
    context: object,
  ): Promise<{ output: Uint8Array; timings: PoolTimings }> {
    const record = await this.get(tenant, name);
    const [module, plan] = await Promise.all([this.loaded(tenant, record), this.plans.limits(tenant)]);
    try {
      return await this.pool.invoke({
        tenant,
        key: this.runtimeKey(tenant, record),
        module: () => module.bytes,
        limits: { ...DEFAULT_LIMITS, ...limitsOf(record.manifest) },
        tenantConcurrency: plan.functionConcurrency,
        allowedHosts: record.manifest.allowed_hosts ?? [],
        input,
        context: encoder.encode(JSON.stringify(context)),
      });
    } catch (err) {
      if (!(err instanceof FunctionFailure)) throw err;
      if (err.failure !== 'rate_limited' && err.failure !== 'overloaded') {
        const lastError = { kind: err.failure, message: err.message };
        this.records.set(`${tenant}/${name}`, {
          ...record,
          last_error: lastError,
          last_error_at: new Date().toISOString(),
        });
        void this.db
          .query(
            'update app_private.functions set last_error = $3, last_error_at = now() where tenant_id = $1 and name ' +
              '= $2',
            [tenant, name, lastError],
          )
          .catch(() => undefined);
      }
      throw err.in(name);
    }
  }

  async remove(tenant: string, name: string): Promise<void> {
    const record = await this.get(tenant, name);
    await this.db.query('delete from app_private.functions where tenant_id = $1 and name = $2', [tenant, name]);
    this.records.delete(`${tenant}/${name}`);
    void this.changes?.publish('functions', { tenant, name });
    await viaMinio(() =>
      this.minio.removeObjects(FUNCTIONS_BUCKET, [this.objectKey(tenant, name), this.preparedKey(tenant, record)]),
    );
    this.unload(tenant, record);
  }
}
