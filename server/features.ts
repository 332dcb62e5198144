// The platform's features, in creation order: a feature may `use` those above it. Adding a feature is its folder
// (with a feature.ts exporting a `Feature`, see feature.ts) and one line here.
import { authFeature } from './auth/feature.js';
import { dataFeature } from './data/feature.js';
import { examplesFeature } from './examples/feature.js';
import { explainFeature } from './explain/feature.js';
import type { Feature } from './feature.js';
import { functionsFeature } from './functions/feature.js';
import { kpiFeature } from './kpi/feature.js';
import { mailFeature } from './mail/feature.js';
import { projectFeature } from './project/feature.js';
import { snapshotsFeature } from './snapshots/feature.js';
import { sqlConsoleFeature } from './sql-console/feature.js';
import { stackApiFeature } from './stack-api/feature.js';
import { storageFeature } from './storage/feature.js';
import { tracingFeature } from './tracing/feature.js';
import { uiFeature } from './ui/feature.js';
import { usersFeature } from './users/feature.js';
import { workflowsFeature } from './workflows/feature.js';

export const FEATURES: readonly Feature[] = [
  mailFeature,
  dataFeature,
  functionsFeature,
  examplesFeature,
  workflowsFeature,
  storageFeature,
  authFeature,
  usersFeature,
  sqlConsoleFeature,
  projectFeature,
  snapshotsFeature,
  kpiFeature,
  tracingFeature,
  explainFeature,
  stackApiFeature,
  uiFeature,
];
