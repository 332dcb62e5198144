import type { ServiceState } from '../../../server/api/contract';

const LABEL: Record<ServiceState, string> = {
  healthy: 'healthy',
  starting: 'starting',
  restarting: 'restarting',
  stopping: 'stopping',
  stopped: 'stopped',
  failed: 'failed',
  asleep: 'asleep',
};

export function StateBadge({ state }: { state: ServiceState }) {
  return (
    <span className={`badge badge-${state}`} data-testid="state">
      {LABEL[state]}
    </span>
  );
}
