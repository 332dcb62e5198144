import { type FormEvent, useEffect, useState } from 'react';
import { type DriverChoice, type EditableSettings, SERVICE_NAMES } from '../../../server/api/contract';
import { ApiError, api } from '../api';
import { ErrorNotice, Loading } from '../components/Notice';
import { usePoll } from '../use-poll';


/** Ports, app home, driver and image overrides; saved to settings.json and applied at the next start. */
export function Settings() {
  const current = usePoll(() => api.settings(), 60_000);
  const [form, setForm] = useState<EditableSettings>({});
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    if (current.data) setForm({ portBase: current.data.portBase, driver: current.data.driver, images: current.data.images });
  }, [current.data]);

  if (current.loading && !current.data) return <Loading what="settings" />;
  if (!current.data) return <ErrorNotice error={current.error!} />;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setError(undefined);
    try {
      const images = Object.fromEntries(Object.entries(form.images ?? {}).filter(([, v]) => v));
      await api.saveSettings({ ...form, images });
      setSaved(true);
      current.refresh();
    } catch (err) {
      setError(err as ApiError);
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
      </dl>
      <h2>Ports now</h2>
      <table className="ports">
        <tbody>
          {Object.entries(current.data.ports).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={(e) => void submit(e)} data-testid="settings-form" noValidate>
        <h2>Next start</h2>
        <label>
          Port base (moves every port to base, base+1, …; empty: the POC ports)
          <input type="number" min={1024} max={65525} value={form.portBase ?? ''} onChange={(e) => setForm({ ...form, portBase: e.target.value ? Number(e.target.value) : undefined })} data-testid="settings-port-base" />
        </label>
        <label>
          Driver
          <select value={form.driver ?? 'native'} onChange={(e) => setForm({ ...form, driver: e.target.value as DriverChoice })}>
            <option value="native">native (child processes)</option>
            <option value="auto">auto (Docker when an engine answers, else native)</option>
            <option value="docker" disabled>
              docker (not available yet)
            </option>
          </select>
        </label>
        <fieldset>
          <legend>Image overrides (Docker driver)</legend>
          {SERVICE_NAMES.map((s) => (
            <label key={s}>
              {s}
              <input type="text" value={form.images?.[s] ?? ''} placeholder="default image" onChange={(e) => setForm({ ...form, images: { ...form.images, [s]: e.target.value } })} />
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary">
          Save
        </button>
        {saved ? <span role="status" className="ok"> Saved — applies at the next start.</span> : null}
        {error ? <ErrorNotice error={error} /> : null}
      </form>
    </section>
  );
}
