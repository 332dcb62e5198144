/**
 * A command that runs in the foreground until SIGINT, SIGTERM or SIGHUP (or `stop(why)`): `stop` runs once, whatever
 * asks first, then the process exits 0. `stopping` says whether it has begun.
 */
export function stopOnSignals(stop: (why: string) => Promise<void>): {
  stop(why: string): Promise<void>;
  readonly stopping: boolean;
} {
  let stopping = false;
  const once = async (why: string) => {
    if (stopping) return;
    stopping = true;
    await stop(why);
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void once(signal));
  return {
    stop: once,
    get stopping() {
      return stopping;
    },
  };
}
