// Apart from ports.ts, which reads every service file: the CLI parses --port-base without loading them.

/** A port base from --port-base or $APPRUN_PORT_BASE; undefined when none is given, an error naming a bad value. */
export function parsePortBase(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`APPRUN_PORT_BASE must be an integer, got "${value}"`);
  return n;
}
