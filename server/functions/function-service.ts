import { createHash } from 'node:crypto';
import type { Client as MinioClient } from 'minio';
import type pg from 'pg';
import { HttpError } from '../errors.js';
import { ensureBucket, viaMinio } from '../storage/minio-calls.js';
import type { NetworkSandbox } from './network-sandbox.js';
import { ModuleRejected, prepareModule } from './prepare.js';
import type { FunctionRuntime } from './runtime.js';
import { DEFAULT_LIMITS, FunctionFailure, type Limits, type Timings } from './sandbox.js';

export const FUNCTIONS_BUCKET = 'apprun-functions';
export const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const MAX_TIMEOUT_MS = 5000;
const MAX_MEMORY_MB = 64;
const MAX_ALLOWED_HOSTS = 16;
/** A host name or IP literal (IPv6 in brackets), optionally with a port; no wildcards, schemes or paths. */
const ALLOWED_HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

export interface FunctionManifest {
  /** Wall-clock limit per invocation (default 1000, at most 5000). */
  timeout_ms?: number;
  /** Memory cap (default 16, at most 64). */
  memory_mb?: number;
  /** Hosts the function may reach over HTTP ("host" on any port, or "host:port"); none by default. */
  allowed_hosts?: string[];
}

export interface FunctionRecord {
  name: string;
  sha256: string;
  size_bytes: number;
  manifest: FunctionManifest;
  created_at: string;
  updated_at: string;
  last_error: { kind: string; message: string } | null;
  last_error_at: string | null;
}

function limitsOf(manifest: FunctionManifest): Partial<Limits> {
  return {
    ...(manifest.timeout_ms ? { timeoutMs: manifest.timeout_ms } : {}),
    ...(manifest.memory_mb ? { maxMemoryPages: manifest.memory_mb * 16 } : {}),
  };
}

export function checkManifest(manifest: FunctionManifest): void {
  if (manifest.timeout_ms !== undefined && !(Number.isInteger(manifest.timeout_ms) && manifest.timeout_ms >= 1 && manifest.timeout_ms <= MAX_TIMEOUT_MS)) {
    throw new HttpError(400, 'invalid_manifest', `timeout_ms must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
  }
  if (manifest.memory_mb !== undefined && !(Number.isInteger(manifest.memory_mb) && manifest.memory_mb >= 1 && manifest.memory_mb <= MAX_MEMORY_MB)) {
    throw new HttpError(400, 'invalid_manifest', `memory_mb must be an integer from 1 to ${MAX_MEMORY_MB}`);
  }
  const hosts: unknown = manifest.allowed_hosts;
  if (hosts !== undefined) {
    if (!Array.isArray(hosts) || hosts.length > MAX_ALLOWED_HOSTS) throw new HttpError(400, 'invalid_manifest', `allowed_hosts must be a list of at most ${MAX_ALLOWED_HOSTS} hosts`);
    const bad = hosts.filter((h) => typeof h !== 'string' || !ALLOWED_HOST.test(h) || Number(h.split(/:(?=\d+$)/)[1] ?? 1) > 65535);
    if (bad.length) {
      throw new HttpError(400, 'invalid_manifest', `allowed_hosts entries are lowercase "host" or "host:port" (no scheme, path or wildcard): ${bad.map((h) => JSON.stringify(h)).join(', ')}`);
    }
  }
  const unknown = Object.keys(manifest).filter((k) => !['timeout_ms', 'memory_mb', 'allowed_hosts'].includes(k));
  if (unknown.length) throw new HttpError(400, 'invalid_manifest', `unknown manifest fields: ${unknown.join(', ')}`);
}

/**
 * Tenant-scoped WebAssembly functions: module bytes in MinIO (so they survive restarts), metadata in Postgres, code in
 * the in-process runtime (loaded on deploy, or on the first invocation after a restart).
 */
const networked = (manifest: FunctionManifest) => (manifest.allowed_hosts?.length ?? 0) > 0;

export class FunctionService {
  /** Records by tenant/name: this service is their only writer, so invocations need no database round trip. */
  private readonly records = new Map<string, FunctionRecord>();

  constructor(
    private readonly db: pg.Pool,
    private readonly minio: MinioClient,
    private readonly runtime: FunctionRuntime,
    private readonly network: NetworkSandbox,
  ) {}

  /**
   * At start: the bucket, and V8's WebAssembly compiler. Its first compile in a process costs ~140 ms here (engine
   * start-up); paying that at boot with a tiny module keeps a function's first invocation at ~1 ms of compile.
   */
  async start(): Promise<void> {
    await ensureBucket(this.minio, FUNCTIONS_BUCKET);
    const tinyModuleWithALoop = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 9, 1, 7, 0, 3, 64, 12, 0, 11, 11]);
    await WebAssembly.instantiate(await WebAssembly.compile(tinyModuleWithALoop));
  }

  async stop(): Promise<void> {
    await this.network.stop();
  }

  /** Checks and instruments a module (at deploy, and again when it is loaded after a restart). */
  private prepare(bytes: Uint8Array<ArrayBuffer>, manifest: FunctionManifest): Uint8Array<ArrayBuffer> {
    const pages = limitsOf(manifest).maxMemoryPages ?? DEFAULT_LIMITS.maxMemoryPages;
    try {
      return prepareModule(bytes, pages, { network: networked(manifest) }).bytes;
    } catch (err) {
      if (err instanceof ModuleRejected) throw new HttpError(400, 'invalid_module', err.message);
      throw err;
    }
  }

  /** Where a function runs: in-process, or in a worker of its own when its manifest allows network hosts. */
  private sandboxOf(manifest: FunctionManifest): FunctionRuntime | NetworkSandbox {
    return networked(manifest) ? this.network : this.runtime;
  }

  private async load(key: string, prepared: Uint8Array<ArrayBuffer>, manifest: FunctionManifest): Promise<void> {
    if (networked(manifest)) await this.network.load(key, prepared, limitsOf(manifest), manifest.allowed_hosts!);
    else await this.runtime.load(key, prepared, limitsOf(manifest));
  }

  private objectKey(tenant: string, name: string): string {
    return `${tenant}/${name}.wasm`;
  }

  private runtimeKey(tenant: string, record: Pick<FunctionRecord, 'name' | 'sha256'>): string {
    return `${tenant}/${record.name}/${record.sha256}`;
  }

  async deploy(tenant: string, name: string, bytes: Uint8Array<ArrayBuffer>, manifest: FunctionManifest): Promise<FunctionRecord> {
    if (!FUNCTION_NAME.test(name)) throw new HttpError(400, 'invalid_name', 'a function name is lowercase letters, digits and dashes, starting with a letter (at most 63)');
    checkManifest(manifest);
    const prepared = this.prepare(bytes, manifest);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await viaMinio(() => this.minio.putObject(FUNCTIONS_BUCKET, this.objectKey(tenant, name), Buffer.from(bytes), bytes.byteLength, { 'Content-Type': 'application/wasm' }));
    const { rows } = await this.db.query<FunctionRecord>(
      `insert into app_private.functions (tenant_id, name, sha256, size_bytes, manifest) values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, name) do update set sha256 = excluded.sha256, size_bytes = excluded.size_bytes, manifest = excluded.manifest,
         updated_at = now(), last_error = null, last_error_at = null
       returning name, sha256, size_bytes, manifest, created_at, updated_at, last_error, last_error_at`,
      [tenant, name, sha256, bytes.byteLength, manifest],
    );
    const record = rows[0]!;
    const previous = this.records.get(`${tenant}/${name}`);
    if (previous) this.sandboxOf(previous.manifest).unload(this.runtimeKey(tenant, previous));
    await this.load(this.runtimeKey(tenant, record), prepared, manifest);
    this.records.set(`${tenant}/${name}`, record);
    return record;
  }

  async list(tenant: string): Promise<FunctionRecord[]> {
    const { rows } = await this.db.query<FunctionRecord>(
      'select name, sha256, size_bytes, manifest, created_at, updated_at, last_error, last_error_at from app_private.functions where tenant_id = $1 order by name',
      [tenant],
    );
    return rows;
  }

  async get(tenant: string, name: string): Promise<FunctionRecord> {
    const cached = this.records.get(`${tenant}/${name}`);
    if (cached) return cached;
    const { rows } = await this.db.query<FunctionRecord>(
      'select name, sha256, size_bytes, manifest, created_at, updated_at, last_error, last_error_at from app_private.functions where tenant_id = $1 and name = $2',
      [tenant, name],
    );
    if (!rows[0]) throw new HttpError(404, 'unknown_function', `no function "${name}" in your tenant`);
    this.records.set(`${tenant}/${name}`, rows[0]);
    return rows[0];
  }

  async invoke(tenant: string, name: string, input: Uint8Array, context: object): Promise<{ output: Uint8Array; timings: Timings }> {
    const record = await this.get(tenant, name);
    const key = this.runtimeKey(tenant, record);
    const sandbox = this.sandboxOf(record.manifest);
    if (!sandbox.isLoaded(key)) {
      // After a restart: fetch the module from MinIO and prepare it again.
      const chunks: Buffer[] = [];
      for await (const chunk of await viaMinio(() => this.minio.getObject(FUNCTIONS_BUCKET, this.objectKey(tenant, name)))) chunks.push(chunk as Buffer);
      await this.load(key, this.prepare(new Uint8Array(Buffer.concat(chunks)), record.manifest), record.manifest);
    }
    try {
      return await sandbox.invoke(key, input, context);
    } catch (err) {
      if (err instanceof FunctionFailure) {
        const lastError = { kind: err.kind, message: err.message };
        this.records.set(`${tenant}/${name}`, { ...record, last_error: lastError, last_error_at: new Date().toISOString() });
        void this.db
          .query('update app_private.functions set last_error = $3, last_error_at = now() where tenant_id = $1 and name = $2', [tenant, name, lastError])
          .catch(() => undefined);
      }
      throw err;
    }
  }

  async remove(tenant: string, name: string): Promise<void> {
    const record = await this.get(tenant, name);
    await this.db.query('delete from app_private.functions where tenant_id = $1 and name = $2', [tenant, name]);
    this.records.delete(`${tenant}/${name}`);
    await viaMinio(() => this.minio.removeObject(FUNCTIONS_BUCKET, this.objectKey(tenant, name)));
    this.sandboxOf(record.manifest).unload(this.runtimeKey(tenant, record));
  }
}
