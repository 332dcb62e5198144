// The storage API's wire types.
import { Type } from 'typebox';

/** The longest a presigned URL may live. */
export const PRESIGN_MAX_SECONDS = 3600;

export const StoredObjectSchema = Type.Object({
  key: Type.String(),
  size: Type.Integer(),
  etag: Type.String(),
  lastModified: Type.String(),
  /** Present when the object was read or written; listings leave it out. */
  contentType: Type.Optional(Type.String()),
});

export const ObjectListSchema = Type.Object({
  prefix: Type.String(),
  objects: Type.Array(StoredObjectSchema),
  truncated: Type.Boolean(),
});
export const ListQuerySchema = Type.Object(
  { prefix: Type.Optional(Type.String({ maxLength: 512 })) },
  { additionalProperties: false },
);
export const ObjectQuerySchema = Type.Object(
  { presign: Type.Optional(Type.Integer({ minimum: 1, maximum: PRESIGN_MAX_SECONDS })) },
  { additionalProperties: false },
);
export const PresignedSchema = Type.Object({ url: Type.String(), expiresAt: Type.String() });
/** The key: the rest of the path after /storage/ (checked by the storage service). */
export const KeyParamsSchema = Type.Object({ '*': Type.String() });
