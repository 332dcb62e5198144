import { adminApi, type StackView } from '../../api/contract.js';
import type { CoreState } from '../../core-state.js';
import { formatBytes, formatPercent, table } from './format.js';

export function fetchStack(state: CoreState): Promise<StackView> {
  return adminApi(state, { timeoutMs: 5000 }).stack();
}

const HEALTH: Record<string, string> = {
  healthy: 'healthy',
  starting: 'starting',
  restarting: 'restarting',
  asleep: 'wakes on use',
};
const STATE: Record<string, string> = { healthy: 'running', starting: 'running', restarting: 'restarting' };

const clock = (at: number) => new Date(at).toTimeString().slice(0, 8);

export function renderStatus(state: CoreState, stack: StackView): string {
  const rows = stack.services.map((s) => [
    s.name,
    STATE[s.state] ?? s.state,
    HEALTH[s.state] ?? '—',
    s.pid ? String(s.pid) : '—',
    Object.values(s.ports)[0]?.toString() ?? '—',
    formatBytes(s.usage?.memoryBytes),
    formatPercent(s.usage?.cpuPercent),
  ]);
  rows.push([
    'gateway',
    'running',
    'healthy',
    String(state.pid),
    String(state.ports.gateway),
    formatBytes(stack.appliance?.memoryBytes),
    formatPercent(stack.appliance?.cpuPercent),
  ]);
  rows.push(['mail (SMTP)', 'running', '—', String(state.pid), String(stack.mailPort), '(in the gateway)', '—']);
  const budget =
    `total ${formatBytes(stack.total?.memoryBytes)} of ${formatBytes(stack.budgetBytes)} budget, CPU ` +
    `${formatPercent(stack.total?.cpuPercent)}`;
  const failures = stack.services
    .filter((s) => s.failure && s.state !== 'asleep')
    .map((s) => `! ${s.name}: ${s.failure!.reason}`);
  const asleep = stack.services.filter((s) => s.state === 'asleep' && s.asleep);
  if (asleep.length) {
    const saved = asleep.reduce((sum, s) => sum + (s.asleep!.savedBytes ?? 0), 0);
    failures.unshift(
      `asleep (idle): ${asleep
        .map((s) => `${s.name} since ${clock(s.asleep!.since)} (${formatBytes(s.asleep!.savedBytes)})`)
        .join(', ')}; ${formatBytes(saved)} given back; each wakes on its next request`,
    );
  }
  const worker = stack.workflowWorker;
  // idle is a worker that starts with the first workflow, not a fault
  if (worker.state !== 'running' && worker.state !== 'idle')
    failures.push(`! workflow worker ${worker.state}${worker.error ? `: ${worker.error}` : ''}`);
  return [table(['SERVICE', 'STATE', 'HEALTH', 'PID', 'PORT', 'MEMORY', 'CPU'], rows), budget, ...failures].join('\n');
}
