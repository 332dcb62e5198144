import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Bytes, NoContent, NoQuery, responses } from '../api/schemas/common.js';
import { FunctionListSchema, FunctionNameParamsSchema, FunctionViewSchema } from '../api/schemas/functions.js';
import { DomainError } from '../errors.js';
import { traceOf } from '../tracing/tracer.js';
import { recordUpstream } from '../tracing/upstream-timing.js';
import type { FunctionManifest, FunctionService } from './function-service.js';
import { DEFAULT_LIMITS } from './sandbox.js';

export interface FunctionsPluginOptions {
  functions: FunctionService;
}

const MAX_MODULE_BYTES = 5 * 1024 * 1024;

/** /functions: deploy (multipart: name, optional manifest JSON, module file), list, invoke, delete — per tenant. */
const functionsPlugin: FastifyPluginAsyncTypebox<FunctionsPluginOptions> = async (app, { functions }) => {
  // Invocation input is bytes, whatever its content type: no parsing, just a size limit.
  app.removeAllContentTypeParsers();
  await app.register(fastifyMultipart, {
    limits: { fileSize: MAX_MODULE_BYTES, files: 1, fields: 4, fieldSize: 16 * 1024 },
  });
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: DEFAULT_LIMITS.maxInputBytes }, (_req, body, done) =>
    done(null, body),
  );

  // The form is read part by part (multipart, not a body schema): name, manifest (JSON, optional), module (.wasm).
  app.post(
    '/',
    {
      // The module goes to MinIO: admitted by its gate (invocations have the function pool's own limits).
      config: { upstream: 'minio' },
      schema: {
        querystring: NoQuery,
        consumes: ['multipart/form-data'],
        response: responses({ 201: FunctionViewSchema }),
      },
    },
    async (request, reply) => {
      if (!request.isMultipart())
        throw new DomainError(
          'unsupported_media_type',
          'unsupported_media_type',
          'deploy with multipart/form-data: name, manifest (JSON, optional), module (.wasm file)',
        );
      const fields: Record<string, string> = {};
      let module: Buffer | undefined;
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          module = await part.toBuffer();
          if (part.file.truncated)
            throw new DomainError(
              'too_large',
              'module_too_large',
              `a module may be at most ${MAX_MODULE_BYTES / 1024 / 1024} MiB`,
            );
        } else {
          fields[part.fieldname] = String(part.value);
        }
      }
      if (!module) throw new DomainError('invalid', 'missing_module', 'the form has no module file');
      if (!fields.name) throw new DomainError('invalid', 'invalid_name', 'the form has no name');
      let manifest: FunctionManifest = {};
      if (fields.manifest) {
        try {
          manifest = JSON.parse(fields.manifest);
        } catch {
          throw new DomainError('invalid', 'invalid_manifest', 'manifest is not valid JSON');
        }
        if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest))
          throw new DomainError('invalid', 'invalid_manifest', 'manifest must be a JSON object');
      }
      const record = await functions.deploy(request.claims!.tenant_id, fields.name, new Uint8Array(module), manifest);
      return reply.code(201).send(record);
    },
  );

  app.get(
    '/',
    { schema: { querystring: NoQuery, response: responses({ 200: FunctionListSchema }) } },
    async (request) => ({ functions: await functions.list(request.claims!.tenant_id) }),
  );

  app.get(
    '/:name',
    {
      schema: {
        params: FunctionNameParamsSchema,
        querystring: NoQuery,
        response: responses({ 200: FunctionViewSchema }),
      },
    },
    async (request) => functions.get(request.claims!.tenant_id, request.params.name),
  );

  // The body is the function's input and the answer its output, as bytes either way.
  app.post(
    '/:name/invoke',
    { schema: { params: FunctionNameParamsSchema, querystring: NoQuery, response: responses({ 200: Bytes }) } },
    async (request, reply) => {
      const claims = request.claims!;
      const input = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
      const trace = traceOf(request.raw);
      const start = trace?.now() ?? 0;
      const { output, timings } = await functions.invoke(claims.tenant_id, request.params.name, input, {
        sub: claims.sub,
        email: claims.email,
        tenant_id: claims.tenant_id,
        role: claims.role,
      });
      if (trace)
        recordUpstream(trace, 'function', start, { name: request.params.name }, [
          { name: 'queue', durationMs: timings.queueMs },
          { name: 'compile', durationMs: timings.compileMs },
          { name: 'instantiate', durationMs: timings.instantiateMs },
          { name: 'run', durationMs: timings.runMs },
        ]);
      const ms = (x: number) => x.toFixed(3);
      // The pool's phases (a traced request's Server-Timing carries them too, beside the gateway's hops).
      reply.header(
        'server-timing',
        `queue;dur=${ms(timings.queueMs)}, compile;dur=${ms(timings.compileMs)}, ` +
          `instantiate;dur=${ms(timings.instantiateMs)}, run;dur=${ms(timings.runMs)}`,
      );
      reply
        .header('x-apprun-compile-ms', ms(timings.compileMs))
        .header('x-apprun-instantiate-ms', ms(timings.instantiateMs))
        .header('x-apprun-run-ms', ms(timings.runMs));
      const text = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
      const first = text[0];
      reply.type(first === 0x7b || first === 0x5b ? 'application/json' : 'text/plain; charset=utf-8');
      return reply.send(text);
    },
  );

  app.delete(
    '/:name',
    {
      config: { upstream: 'minio' },
      schema: { params: FunctionNameParamsSchema, querystring: NoQuery, response: responses({ 204: NoContent }) },
    },
    async (request, reply) => {
      await functions.remove(request.claims!.tenant_id, request.params.name);
      return reply.code(204).send(null);
    },
  );
};

export default functionsPlugin;
