import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type DriverChoice, type EditableSettings, SERVICE_NAMES } from '../../../server/api/contract';
import { type ApiError, api, toApiError } from '../api';
import { ErrorNotice, Loading } from '../components/Notice';
import { usePoll } from '../use-poll';
import { formFrom, portRows, settingsToSave } from './settings-form';
import { TenantPolicies } from './TenantPolicies';

const PLANS = ['free', 'pro'] as const;
const LIMITS = [
  ['weight', 'weight', 100],
  ['functionConcurrency', 'function concurrency', 64],
] as const;

/**
 * Ports, app home, driver, allowed hosts and image overrides, saved to settings.json and applied at the next start;
 * the plans' limits, applied at once.
 */
export function Settings() {
  const current = usePoll(() => api.settings(), 60_000);
  const [form, setForm] = useState<EditableSettings>({});
  const [hosts, setHosts] = useState('');
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError>();
  // The form is filled when the saved settings change (first load, a save), not on every poll: edits survive a poll.
  const filledFrom = useRef<string>(undefined);
  useEffect(() => {
    if (!current.data) return;
    const saved = formFrom(current.data);
    const key = JSON.stringify(saved);
    if (key === filledFrom.current) return;
    filledFrom.current = key;
    setForm(saved.form);
    setHosts(saved.hosts);
  }, [current.data]);

  if (current.loading && !current.data) return <Loading what="settings" />;
  if (!current.data) return <ErrorNotice error={current.error!} />;
  const { defaultImages } = current.data;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setError(undefined);
    try {
      await api.saveSettings(settingsToSave(form, hosts));
      setSaved(true);
      current.refresh();
    } catch (err) {
      setError(toApiError(err));
    }
  };
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <dl className="facts">
        <dt>app home</dt>
        <dd data-testid="settings-home">{current.data.home}</dd>
        <dt>running driver</dt>
        <dd>{current.data.runningDriver}</dd>
        <dt>answers to</dt>
        <dd data-testid="settings-hosts-now">
          loopback ({`127.0.0.1:${current.data.ports.gateway}, localhost:${current.data.ports.gateway}`})
          {current.data.allowedHostsNow.length ? ` and ${current.data.allowedHostsNow.join(', ')}` : ''}
        </dd>
      </dl>
      <h2>Ports now</h2>
      <table className="ports">
        <tbody>
          {portRows(current.data.ports).map((p) => (
            <tr key={p.key} data-testid={`port-${p.key}`}>
              <th scope="row">{p.label}</th>
              <td>
                {p.url ? (
                  <a href={p.url} target="_blank" rel="noreferrer">
                    {p.url}
                  </a>
                ) : (
                  `127.0.0.1:${p.port}`
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={(e) => void submit(e)} data-testid="settings-form" noValidate>
        <h2>Next start</h2>
        <label>
          Port base (moves every port to base, base+1, …; empty: the POC ports)
          <input
            type="number"
            min={1024}
            max={65525}
            value={form.portBase ?? ''}
            onChange={(e) => setForm({ ...form, portBase: e.target.value ? Number(e.target.value) : undefined })}
            data-testid="settings-port-base"
          />
        </label>
        <label>
          Driver
          <select
            value={form.driver ?? 'native'}
            onChange={(e) => setForm({ ...form, driver: e.target.value as DriverChoice })}
          >
            <option value="native">native (child processes)</option>
            <option value="auto">auto (Docker when an engine answers, else native)</option>
            <option value="docker">
              docker (containers on the local engine: official images, else built here from the native binaries)
            </option>
          </select>
        </label>
        <label>
          Allowed hosts (names besides loopback the gateway answers to, e.g. a reverse proxy's: host or host:port,
          comma-separated, at most 16; APPRUN_ALLOWED_HOSTS replaces them)
          <input
            type="text"
            value={hosts}
            placeholder="none"
            onChange={(e) => setHosts(e.target.value)}
            data-testid="settings-allowed-hosts"
          />
        </label>
        <fieldset>
          <legend>Image overrides (Docker driver)</legend>
          {SERVICE_NAMES.map((s) => (
            <label key={s}>
              {s}
              <input
                type="text"
                value={form.images?.[s] ?? ''}
                placeholder={defaultImages[s] ?? 'official image'}
                onChange={(e) => setForm({ ...form, images: { ...form.images, [s]: e.target.value } })}
              />
            </label>
          ))}
        </fieldset>
        <fieldset data-testid="settings-plans">
          <legend>
            Plans (apply at once): a tenant's share of a contended upstream, and its functions running at once
          </legend>
          {PLANS.map((plan) => (
            <div key={plan} className="plan-limits">
              {LIMITS.map(([limit, label, max]) => (
                <label key={limit}>
                  {plan} · {label}
                  <input
                    type="number"
                    min={1}
                    max={max}
                    value={form.plans?.[plan]?.[limit] ?? ''}
                    onChange={(e) =>
                      setForm({
                        ...form,
                        plans: {
                          ...form.plans,
                          [plan]: {
                            ...form.plans?.[plan],
                            [limit]: e.target.value ? Number(e.target.value) : undefined,
                          },
                        },
                      })
                    }
                    data-testid={`settings-plan-${plan}-${limit}`}
                  />
                </label>
              ))}
            </div>
          ))}
        </fieldset>
        <button type="submit" className="primary">
          Save
        </button>
        {saved ? (
          <span role="status" className="ok">
            {' '}
            Saved — plans apply now, the rest at the next start.
          </span>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
      </form>
      <h2 id="policies-title">Policies of a tenant</h2>
      <TenantPolicies />
    </section>
  );
}
