import type { SuiteName } from '../registry.js';
import { authSuite } from './auth.js';
import { dataSuite } from './data.js';
import { isolationSuite } from './isolation.js';
import { overloadSuite } from './overload.js';
import { rbacSuite } from './rbac.js';
import { resourcesSuite } from './resources.js';
import { startSuite } from './start.js';
import type { Suite } from './suite.js';
import { wasmSuite } from './wasm.js';
import { workflowSuite } from './workflow.js';

export const SUITES: Record<SuiteName, Suite> = {
  data: dataSuite,
  auth: authSuite,
  wasm: wasmSuite,
  resources: resourcesSuite,
  start: startSuite,
  isolation: isolationSuite,
  rbac: rbacSuite,
  workflow: workflowSuite,
  overload: overloadSuite,
};
