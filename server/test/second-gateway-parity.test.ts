import { inject } from 'vitest';
import { callThrough } from './http.js';

// The real-client parity suite again, every gateway call through the second gateway (`apprun gateway --port`, started
// by the global setup): what @supabase/postgrest-js sees there must match PostgREST itself, as at the appliance's.
callThrough(inject('stack').secondGatewayUrl);
await import('./data-parity.test.js');
