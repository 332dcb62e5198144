import type * as Minio from 'minio';

/** The MinIO calls the platform makes that reach the server (listObjectsV2 is a stream: its routes wake it first). */
const CALLS = new Set([
  'bucketExists',
  'makeBucket',
  'getObject',
  'putObject',
  'statObject',
  'removeObject',
  'removeObjects',
  'presignedGetObject',
]);

/**
 * The MinIO client with a wake before each call: storage, function modules and snapshots reach MinIO through it, so a
 * MinIO asleep for idleness is started by whichever of them needs it first.
 */
export function wakingMinio(client: Minio.Client, awake: () => Promise<void>): Minio.Client {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || !CALLS.has(property)) return value;
      return (...args: unknown[]) => awake().then(() => (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}
