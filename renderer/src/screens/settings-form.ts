import type { EditableSettings, SettingsView } from '../../../server/api/contract';

// The form only shapes what is sent: the core's settings parser is the authority on what is valid, and its refusal
// (naming the field) is shown as it comes.

/** "a.example, b.example:8443" (or one a line) as the list the API takes. */
export const hostList = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** The form's fields from the saved settings; the allowed hosts as the text the user edits. */
export function formFrom(view: SettingsView): { form: EditableSettings; hosts: string } {
  return {
    form: { portBase: view.portBase, driver: view.driver, images: view.images, plans: view.plans },
    hosts: (view.allowedHosts ?? []).join(', '),
  };
}

/** What Save sends: blank image overrides dropped (the default image), the hosts text as a list. */
export function settingsToSave(form: EditableSettings, hosts: string): EditableSettings {
  const images = Object.fromEntries(
    Object.entries(form.images ?? {})
      .map(([service, image]) => [service, image?.trim()])
      .filter(([, image]) => image),
  );
  return { ...form, images, allowedHosts: hostList(hosts) };
}

const PORT_LABELS: Record<string, string> = {
  gateway: 'gateway (data, auth, functions, storage, this dashboard)',
  postgres: 'PostgreSQL',
  postgrest: 'PostgREST',
  postgrestAdmin: 'PostgREST admin (health)',
  kratosPublic: 'Kratos public API',
  kratosAdmin: 'Kratos admin API',
  temporal: 'Temporal frontend (gRPC)',
  temporalUi: 'Temporal web UI',
  minio: 'MinIO S3 API',
  minioConsole: 'MinIO console',
};
/** The ports a developer opens in a browser. */
const WEB_UIS = new Set(['temporalUi', 'minioConsole']);

/** The ports as people read them: a name for each ("kratosAdmin" → "Kratos admin API"), a link for the web UIs. */
export function portRows(ports: Record<string, number>): { key: string; label: string; port: number; url?: string }[] {
  return Object.entries(ports).map(([key, port]) => ({
    key,
    label: PORT_LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(),
    port,
    ...(WEB_UIS.has(key) ? { url: `http://127.0.0.1:${port}/` } : {}),
  }));
}
