import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type IdleSleeper, SLEEPERS } from '../idle/idle-sleeper.js';
import { traceOf } from '../tracing/tracer.js';
import { PUBLIC_CALLER, type Upstream, type UpstreamGates } from './upstream-gates.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The upstream a route's requests call: each is admitted by that upstream's gate first. */
    upstream?: Upstream;
  }
  interface FastifyRequest {
    /** Frees the request's upstream slot; set once it was admitted. */
    releaseUpstream: (() => void) | null;
  }
}

export interface AdmissionOptions {
  gates: UpstreamGates;
  /** Wakes the route's upstream first when it sleeps (a 503 with Retry-After past the wake deadline). */
  sleeper: Pick<IdleSleeper, 'awake' | 'isAsleep'>;
}

const release = async (request: FastifyRequest) => {
  const done = request.releaseUpstream;
  request.releaseUpstream = null;
  done?.();
};

/**
 * Admission control for tenant traffic: a route that names its upstream (`config.upstream`) is let through by that
 * upstream's fair gate before its body is read, and keeps its slot until its answer has gone out (a streamed one
 * too) or the client went away. Routes that call no upstream (/healthz, the control API, the dashboard) never wait
 * behind tenant traffic.
 */
const admission: FastifyPluginAsync<AdmissionOptions> = async (app, { gates, sleeper }) => {
  app.decorateRequest('releaseUpstream', null);
  app.addHook('onRequest', async (request) => {
    const upstream = request.routeOptions.config.upstream;
    if (!upstream || request.is404) return;
    const socket = request.raw.socket;
    const trace = traceOf(request.raw);
    if (SLEEPERS.includes(upstream)) {
      const asleep = trace !== undefined && sleeper.isAsleep(upstream);
      const waking = trace?.now() ?? 0;
      await sleeper.awake(upstream);
      if (asleep) trace.end('wake', waking, { service: upstream });
    }
    const start = trace?.now() ?? 0;
    request.releaseUpstream = (await gates.admit(upstream, request.claims?.tenant_id ?? PUBLIC_CALLER, socket)) ?? null;
    trace?.end('gate', start, { upstream });
  });
  app.addHook('onResponse', release);
  app.addHook('onRequestAbort', release);
};

export default fp(admission, { name: 'apprun-admission', dependencies: ['apprun-access'] });
