import { Type } from 'typebox';
import { Timestamp } from './common.js';

const NAME = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });

/** One snapshot as the dashboard lists it (its file checksums stay on disk). */
export const SnapshotViewSchema = Type.Object({
  name: Type.String(),
  createdAt: Timestamp,
  reason: Type.String(),
  contents: Type.Array(Type.String()),
  sizeBytes: Type.Integer({ minimum: 0 }),
  migrations: Type.Array(Type.String()),
  versions: Type.Record(Type.String(), Type.String()),
});

export const SnapshotListSchema = Type.Object({ snapshots: Type.Array(SnapshotViewSchema) });
export const SnapshotParamsSchema = Type.Object({ name: NAME }, { additionalProperties: false });
/** Save: a name, or the time when none is given. */
export const RestoreSnapshotSchema = Type.Object(
  {
    /** Stop, swap and start every service, even those whose data has not changed since (the slow path). */
    full: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const SaveSnapshotSchema = Type.Object({ name: Type.Optional(NAME) }, { additionalProperties: false });
export const ResetRequestSchema = Type.Object(
  { keepUsers: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const ResetResultSchema = Type.Object({
  keptUsers: Type.Integer({ minimum: 0 }),
  skippedUsers: Type.Array(Type.String()),
  /** A restore of the seed snapshot, or a start from empty data (which keeps the seed for the next reset). */
  fromSeed: Type.Boolean(),
  ms: Type.Integer({ minimum: 0 }),
});
