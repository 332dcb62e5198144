import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Bytes, NoContent, NoQuery, responses } from '../api/schemas/common.js';
import {
  KeyParamsSchema,
  ListQuerySchema,
  ObjectListSchema,
  ObjectQuerySchema,
  PresignedSchema,
  StoredObjectSchema,
} from '../api/schemas/storage.js';
import { DomainError } from '../errors.js';
import { MAX_OBJECT_BYTES, type StorageService } from './storage-service.js';

export interface StoragePluginOptions {
  storage: StorageService;
}

const tooLarge = (size?: number) =>
  new DomainError(
    'too_large',
    'object_too_large',
    `objects may be at most ${MAX_OBJECT_BYTES / 1024 / 1024} MiB${size ? ` (this one is ${size} bytes)` : ''}`,
    { max_bytes: MAX_OBJECT_BYTES },
  );

/**
 * /storage: the caller's tenant's objects in MinIO — PUT, GET, DELETE one key (GET ?presign=<seconds> answers a
 * presigned URL instead of the bytes); GET /storage?prefix= lists.
 */
const storagePlugin: FastifyPluginAsyncTypebox<StoragePluginOptions> = async (app, { storage }) => {
  // Every route here calls MinIO, and is admitted by its gate first.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, upstream: 'minio' };
  });
  // Objects are bytes whatever their content type: no parsing, the type is stored with the object.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_OBJECT_BYTES }, (_req, body, done) =>
    done(null, body),
  );
  // Refuse a declared oversize upload before reading it; a chunked one stops at bodyLimit.
  app.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (request.method === 'PUT' && declared > MAX_OBJECT_BYTES) throw tooLarge(declared);
  });
  // Fastify's own "Request body is too large" names no limit; the root handler renders what this one rethrows.
  app.setErrorHandler((err: Error & { code?: string }) => {
    throw err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? tooLarge() : err;
  });

  app.get(
    '/',
    { schema: { querystring: ListQuerySchema, response: responses({ 200: ObjectListSchema }) } },
    async (request) => {
      const prefix = request.query.prefix ?? '';
      return { prefix, ...(await storage.list(request.claims!.tenant_id, prefix)) };
    },
  );

  // The key is the rest of the path after /storage/ (find-my-way has decoded it); the body is the object's bytes.
  app.put(
    '/*',
    {
      schema: {
        params: KeyParamsSchema,
        querystring: NoQuery,
        response: responses({ 200: StoredObjectSchema, 201: StoredObjectSchema }),
      },
    },
    async (request, reply) => {
      const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
      const contentType = request.headers['content-type'] ?? 'application/octet-stream';
      const { object, created } = await storage.put(request.claims!.tenant_id, request.params['*'], body, contentType);
      return reply.code(created ? 201 : 200).send(object);
    },
  );

  app.get(
    '/*',
    // The object's bytes (with its content type), or with ?presign= a URL that reads them from MinIO.
    {
      schema: {
        params: KeyParamsSchema,
        querystring: ObjectQuerySchema,
        response: responses({ 200: Type.Union([PresignedSchema, Bytes]) }),
      },
    },
    async (request, reply) => {
      const tenant = request.claims!.tenant_id;
      const key = request.params['*'];
      if (request.query.presign !== undefined) return storage.presign(tenant, key, request.query.presign);
      const { object, stream } = await storage.get(tenant, key);
      reply
        .header('content-type', object.contentType)
        .header('content-length', object.size)
        .header('etag', `"${object.etag}"`)
        .header('last-modified', new Date(object.lastModified).toUTCString());
      return reply.send(stream);
    },
  );

  app.delete(
    '/*',
    { schema: { params: KeyParamsSchema, querystring: NoQuery, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await storage.remove(request.claims!.tenant_id, request.params['*']);
      return reply.code(204).send(null);
    },
  );
};

export default storagePlugin;
