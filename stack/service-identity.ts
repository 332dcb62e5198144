// What the stack is made of, by name: owned here, where the services are defined; the API contract re-exports it.
// Values and types only, no Node imports, so the dashboard's bundle may include it.

/** The services of the stack, in start order of the POC. */
export const SERVICE_NAMES = ['postgres', 'postgrest', 'kratos', 'temporal', 'minio'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** asleep: stopped on purpose after an idle time (not failed, not healed); the next request through the gateway wakes it. */
export const SERVICE_STATES = ['stopped', 'starting', 'healthy', 'restarting', 'stopping', 'failed', 'asleep'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];
