/**
 * Port bases of the stacks the tests start, apart from each other and from the POC's defaults.
 * APPRUN_TEST_PORT_SHIFT moves them all, so two checkouts can run their suites side by side.
 */
const shift = Number(process.env.APPRUN_TEST_PORT_SHIFT ?? 0);
if (!Number.isInteger(shift) || shift < 0 || shift > 30_000)
  throw new Error(
    `APPRUN_TEST_PORT_SHIFT must be an integer from 0 to 30000, got ${process.env.APPRUN_TEST_PORT_SHIFT}`,
  );

export const TEST_PORT_BASES = {
  /** The one stack the integration suites share (server/test/global-setup.ts). */
  shared: 23000 + shift,
  /** The CLI lifecycle tests' own stacks. */
  lifecycle: 24000 + shift,
  /** The Docker driver's stack. */
  docker: 24500 + shift,
  /** The snapshot suite's own stack (it stops and restarts services). */
  snapshots: 24800 + shift,
  /** The project suites' stacks: a project of the test's own, and a second one beside it. */
  project: 27000 + shift,
  projectOther: 27100 + shift,
  /** The notes example's backend, for its browser test. */
  notes: 27200 + shift,
  /** The OpenTelemetry export's stack (it starts with OTEL_EXPORTER_OTLP_ENDPOINT set). */
  otel: 27300 + shift,
  /** The idle-sleep suite's stack (it starts with a 2 s idle time). */
  idle: 27400 + shift,
  /** The second gateway on the shared stack (`apprun gateway --port`). */
  secondGateway: 23090 + shift,
  /** An appliance of its own with a second gateway, stopped under it. */
  replica: 27500 + shift,
  /** The services run apart, one process each (`apprun service NAME`). */
  serviceApart: 27600 + shift,
  /** `apprun export compose` brought up on the local engine (its containers on the host network). */
  composeExport: 27700 + shift,
  /** The browser tests' `apprun up`. */
  e2e: 26500 + shift,
} as const;
