// The one typed contract between the dashboard and the core, with two transports: HTTP (web mode, /api/*) and
// Electron IPC (the preload relays the channels below, and nothing else). Types only: safe to import anywhere.

/** The services of the stack, in start order of the POC. */
export const SERVICE_NAMES = ['postgres', 'postgrest', 'kratos', 'temporal', 'minio'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export type ServiceState = 'stopped' | 'starting' | 'healthy' | 'restarting' | 'stopping' | 'failed';
export type ServiceAction = 'start' | 'stop' | 'restart';

export interface Usage {
  memoryBytes: number;
  cpuPercent: number;
}

/** One service as the API shows it; the supervisor's snapshot is this without usage. */
export interface ServiceView {
  name: ServiceName;
  description: string;
  state: ServiceState;
  pid?: number;
  ports: Record<string, number>;
  startedAt?: number;
  restarts: number;
  memoryBudgetMb: number;
  lastExit?: { code: number | null; signal: string | null; reason: string; at: number };
  failure?: { reason: string; logTail: string[] };
  usage?: Usage;
}

export interface StackView {
  driver: 'native' | 'docker';
  budgetBytes: number;
  services: ServiceView[];
  appliance?: Usage;
  total?: Usage;
  sampledAt?: number;
}

export interface MetricsSampleView {
  at: number;
  services: Record<string, Usage>;
  appliance: Usage;
  total: Usage;
}

export interface MetricsView {
  budgetBytes: number;
  samples: MetricsSampleView[];
}

export interface LogsView {
  service: ServiceName;
  lines: string[];
}

export type DriverChoice = 'native' | 'auto';

/** What the Settings screen edits; saved to APPRUN_HOME/settings.json, applied at the next start. */
export interface EditableSettings {
  portBase?: number;
  driver?: DriverChoice;
  /** Container image per service, for the Docker driver. */
  images?: Partial<Record<ServiceName, string>>;
}

export interface SettingsView extends EditableSettings {
  home: string;
  /** The ports of the running core (the settings' portBase applies at the next start). */
  ports: Record<string, number>;
  runningDriver: 'native' | 'docker';
}

export interface ApprunApi {
  stack(): Promise<StackView>;
  metrics(since?: number): Promise<MetricsView>;
  logs(service: ServiceName, tail: number): Promise<LogsView>;
  control(service: ServiceName, action: ServiceAction): Promise<ServiceView>;
  settings(): Promise<SettingsView>;
  saveSettings(settings: EditableSettings): Promise<SettingsView>;
}

/** IPC channel per API method; the preload exposes exactly these. */
export const IPC_CHANNELS: { readonly [K in keyof ApprunApi]: `apprun:${string}` } = {
  stack: 'apprun:stack',
  metrics: 'apprun:metrics',
  logs: 'apprun:logs',
  control: 'apprun:control',
  settings: 'apprun:settings',
  saveSettings: 'apprun:save-settings',
};

/** The HTTP form of each call, shared by the web transport and the Electron main process's relay. */
export function httpRequestFor<K extends keyof ApprunApi>(method: K, args: Parameters<ApprunApi[K]>): { method: 'GET' | 'POST' | 'PUT'; path: string; body?: unknown } {
  switch (method) {
    case 'stack':
      return { method: 'GET', path: '/api/stack' };
    case 'metrics':
      return { method: 'GET', path: `/api/stack/metrics?since=${Number(args[0] ?? 0)}` };
    case 'logs':
      return { method: 'GET', path: `/api/stack/${encodeURIComponent(String(args[0]))}/logs?tail=${Number(args[1])}` };
    case 'control':
      return { method: 'POST', path: `/api/stack/${encodeURIComponent(String(args[0]))}/${encodeURIComponent(String(args[1]))}` };
    case 'settings':
      return { method: 'GET', path: '/api/settings' };
    case 'saveSettings':
      return { method: 'PUT', path: '/api/settings', body: args[0] };
  }
  throw new Error(`unknown API method ${String(method)}`);
}
