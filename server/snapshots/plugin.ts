import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SnapshotError, type SnapshotManifest } from '../../stack/snapshots.js';
import { NoContent, NoQuery, responses } from '../api/schemas/common.js';
import {
  ResetRequestSchema,
  ResetResultSchema,
  RestoreSnapshotSchema,
  SaveSnapshotSchema,
  SnapshotListSchema,
  SnapshotParamsSchema,
  SnapshotViewSchema,
} from '../api/schemas/snapshots.js';
import { DomainError, type ErrorKind } from '../errors.js';
import type { SnapshotService } from './snapshot-service.js';

export interface SnapshotsPluginOptions {
  snapshots: SnapshotService;
}

const KIND: Record<SnapshotError['kind'], [ErrorKind, string]> = {
  not_found: ['not_found', 'snapshot_not_found'],
  invalid: ['invalid', 'invalid_snapshot_name'],
  conflict: ['conflict', 'snapshot_conflict'],
  corrupt: ['unprocessable', 'snapshot_corrupt'],
  foreign: ['unprocessable', 'snapshot_of_another_home'],
  io: ['unavailable', 'snapshot_io_failed'],
};

/** The HTTP mapping of a snapshot failure: its kind's status, a code, the sentence. */
const mapped = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (err) {
    if (err instanceof SnapshotError) {
      const [kind, code] = KIND[err.kind];
      throw new DomainError(kind, code, err.message);
    }
    throw err;
  }
};

const view = ({ name, createdAt, reason, contents, sizeBytes, migrations, versions }: SnapshotManifest) => ({
  name,
  createdAt,
  reason,
  contents,
  sizeBytes,
  migrations,
  versions,
});

/** /api/snapshots and /api/reset (in the admin scope, like the rest of the control API). */
const snapshotsPlugin: FastifyPluginAsyncTypebox<SnapshotsPluginOptions> = async (app, { snapshots }) => {
  app.get(
    '/api/snapshots',
    { schema: { querystring: NoQuery, response: responses({ 200: SnapshotListSchema }) } },
    async () => ({ snapshots: (await snapshots.list()).map(view) }),
  );
  app.post(
    '/api/snapshots',
    { schema: { querystring: NoQuery, body: SaveSnapshotSchema, response: responses({ 201: SnapshotViewSchema }) } },
    async (request, reply) => reply.code(201).send(view(await mapped(() => snapshots.save(request.body.name)))),
  );
  app.post(
    '/api/snapshots/:name/restore',
    {
      schema: {
        params: SnapshotParamsSchema,
        querystring: NoQuery,
        body: Type.Optional(RestoreSnapshotSchema),
        response: responses({ 200: SnapshotViewSchema }),
      },
    },
    async (request) => view(await mapped(() => snapshots.restore(request.params.name, request.body?.full ?? false))),
  );
  app.delete(
    '/api/snapshots/:name',
    { schema: { params: SnapshotParamsSchema, querystring: NoQuery, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await mapped(() => snapshots.remove(request.params.name));
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/reset',
    { schema: { querystring: NoQuery, body: ResetRequestSchema, response: responses({ 200: ResetResultSchema }) } },
    async (request) => mapped(() => snapshots.reset(request.body.keepUsers ?? false)),
  );
};

export default snapshotsPlugin;
