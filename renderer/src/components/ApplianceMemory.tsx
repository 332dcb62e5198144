import type { StackView } from '../../../server/api/contract';
import { mb } from '../format';

/**
 * The appliance's own memory, taken apart, so a number that grew says why: what JavaScript uses, what V8 holds for it
 * (a heap grown by a KPI run is kept for reuse), buffers, and the native rest. Measured on this machine: the first
 * deploy adds ~80 MB the allocator keeps after the module-preparation thread ends (the desktop app's core runs with an
 * allocator setting that gives it back), and the first workflow ~70 MB for the Temporal worker's core.
 */
export function ApplianceMemory({
  memory,
  workflowWorker,
}: Pick<StackView, 'workflowWorker'> & { memory: StackView['applianceMemory'] }) {
  const native = Math.max(0, memory.rssBytes - memory.heapTotalBytes - memory.externalBytes);
  const held = Math.max(0, memory.heapTotalBytes - memory.heapUsedBytes);
  return (
    <details className="appliance-memory" data-testid="appliance-memory">
      <summary>
        appliance (the core: gateway, supervisor, workflow worker) {mb(memory.rssBytes)} — where it goes
      </summary>
      <dl className="facts">
        <dt>JavaScript in use</dt>
        <dd data-testid="appliance-heap-used">{mb(memory.heapUsedBytes)}</dd>
        <dt>held by V8, free</dt>
        <dd>
          {mb(held)} <span className="muted">(kept after a burst such as a KPI run, reused before it grows again)</span>
        </dd>
        <dt>buffers</dt>
        <dd>{mb(memory.externalBytes)}</dd>
        <dt>native</dt>
        <dd>
          {mb(native)}{' '}
          <span className="muted">
            (Node itself, TLS, the allocator's free pages
            {workflowWorker.state === 'running'
              ? ', and the Temporal worker’s core, loaded since the first workflow'
              : ''}
            )
          </span>
        </dd>
      </dl>
    </details>
  );
}
