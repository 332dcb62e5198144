import { Type } from 'typebox';
import { Timestamp } from './common.js';

export const MigrationStateSchema = Type.Object({
  name: Type.String(),
  state: Type.Enum(['applied', 'pending', 'edited', 'failed']),
  appliedAt: Type.Optional(Timestamp),
  error: Type.Optional(Type.String()),
});

export const TableViewSchema = Type.Object({
  name: Type.String(),
  kind: Type.Enum(['table', 'view', 'materialized view', 'foreign table']),
  verdict: Type.Enum(['safe', 'shared', 'unsafe', 'private']),
  problems: Type.Array(Type.Object({ problem: Type.String(), fix: Type.String() })),
  rowsByTenant: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
  rows: Type.Optional(Type.Integer({ minimum: 0 })),
});

/** What the folder watcher did last, for the CLI's output and the dashboard. */
export const ProjectEventSchema = Type.Object({
  at: Timestamp,
  kind: Type.Enum(['migrations', 'functions', 'policies', 'reset']),
  ok: Type.Boolean(),
  message: Type.String(),
  /** The file at fault, and its line when Postgres or the compiler says. */
  file: Type.Optional(Type.String()),
  line: Type.Optional(Type.Integer({ minimum: 1 })),
});

export const ProjectViewSchema = Type.Object({
  name: Type.String(),
  /** The project's apprun/ folder (the built-in demo's inside apprun itself). */
  dir: Type.String(),
  builtIn: Type.Boolean(),
  migrations: Type.Array(MigrationStateSchema),
  tables: Type.Array(TableViewSchema),
  functions: Type.Array(Type.Object({ name: Type.String(), deployedAt: Type.Optional(Timestamp) })),
  /** Newest first. */
  events: Type.Array(ProjectEventSchema),
});

export const TypesViewSchema = Type.Object({ types: Type.String() });

export const DbResetRequestSchema = Type.Object(
  { keepUsers: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const DbResetResultSchema = Type.Object({
  ms: Type.Integer({ minimum: 0 }),
  /** Whether the template had to be built first (the first reset after a change of the folder). */
  templateBuilt: Type.Boolean(),
  keptUsers: Type.Integer({ minimum: 0 }),
  skippedUsers: Type.Array(Type.String()),
});

export const DeployFunctionsRequestSchema = Type.Object(
  { name: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' })) },
  { additionalProperties: false },
);
export const DeployFunctionsResultSchema = Type.Object({
  deployed: Type.Array(Type.Object({ name: Type.String(), tenants: Type.Integer({ minimum: 0 }) })),
  unchanged: Type.Array(Type.String()),
});
