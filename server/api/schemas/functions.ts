// The functions API's wire types.
import { Type } from 'typebox';
import { Timestamp } from './common.js';

export const FunctionNameParamsSchema = Type.Object({ name: Type.String({ maxLength: 63 }) });

/** What a deploy's manifest may say; function-service.ts checks the values (and names what is wrong). */
export const FunctionManifestSchema = Type.Object({
  /** Wall-clock limit per invocation (default 1000, at most 5000). */
  timeout_ms: Type.Optional(Type.Integer()),
  /** Memory cap (default 16, at most 64). */
  memory_mb: Type.Optional(Type.Integer()),
  /** Hosts the function may reach over HTTP ("host" on any port, or "host:port"); none by default. */
  allowed_hosts: Type.Optional(Type.Array(Type.String())),
});

export const FunctionViewSchema = Type.Object({
  name: Type.String(),
  sha256: Type.String(),
  size_bytes: Type.Integer(),
  manifest: FunctionManifestSchema,
  created_at: Timestamp,
  updated_at: Timestamp,
  last_error: Type.Union([Type.Object({ kind: Type.String(), message: Type.String() }), Type.Null()]),
  last_error_at: Type.Union([Timestamp, Type.Null()]),
});

export const FunctionListSchema = Type.Object({ functions: Type.Array(FunctionViewSchema) });
