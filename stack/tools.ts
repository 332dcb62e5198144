// The tools an export is checked with here, built from their Go modules like the services' binaries (no release
// download can be verified from this machine): docker compose brings an exported Compose file up, helm lints and
// renders an exported chart. A developer's own docker compose or helm on the PATH is used first.
import { type BinaryRecipe, provisionBinary } from './binaries.js';
import { resolveCacheDir } from './home.js';
import type { ProgressFn } from './spec.js';

export const TOOLS = {
  'docker-compose': {
    version: 'v5.6.0',
    module: 'github.com/docker/compose/v5',
    // Its go.mod has no local replace, but its main package is ./cmd, named "cmd" by `go install`.
    build: 'module-source',
    mainPackage: './cmd',
    versionVariable: 'github.com/docker/compose/v5/internal.Version',
  },
  helm: { version: 'v4.3.2', module: 'helm.sh/helm/v4/cmd/helm', build: 'go-install' },
} satisfies Record<string, BinaryRecipe>;

export type ToolName = keyof typeof TOOLS;

/** The tool's executable: PATH, the binary cache, or a build from its Go module (minutes, once). */
export const provisionTool = (name: ToolName, progress: ProgressFn = () => undefined): Promise<string> =>
  provisionBinary(name, TOOLS[name], resolveCacheDir(), progress);
