import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ExampleView, FunctionView, InvocationView } from '../../../server/api/contract';
import { type ApiError, api, toApiError } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FileDrop } from '../components/FileDrop';
import { Empty, ErrorNotice } from '../components/Notice';
import { TenantScreen } from '../session';
import { useAction } from '../use-action';
import { functionNameFor, limitsOf, networkOf } from './functions-model';

/** apprun's example functions, deployed to the acting user's tenant in one click. */
function Examples({ token, onDeployed }: { token: string; onDeployed: () => void }) {
  const [examples, setExamples] = useState<ExampleView[]>();
  const [chosen, setChosen] = useState('');
  const { busy, error, run } = useAction();
  useEffect(() => {
    void run(async () => setExamples(await api.examples()));
  }, [run]);
  const example = examples?.find((e) => e.name === chosen) ?? examples?.[0];
  const deploy = (e: FormEvent) => {
    e.preventDefault();
    if (!example) return;
    void run(async () => {
      await api.deployFunction(token, example.name, await api.exampleModule(example.name));
      onDeployed();
    });
  };
  if (!examples?.length) return error ? <ErrorNotice error={error} /> : null;
  return (
    <form onSubmit={deploy} className="toolbar wrap" data-testid="deploy-example">
      <label>
        Example{' '}
        <select value={example?.name} onChange={(e) => setChosen(e.target.value)} data-testid="example-select">
          {examples.map((x) => (
            <option key={x.name}>{x.name}</option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Deploy the example
      </button>
      {example ? <p className="muted grow">{example.description}</p> : null}
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

function Upload({ token, onDeployed }: { token: string; onDeployed: () => void }) {
  const [file, setFile] = useState<File>();
  const [name, setName] = useState('');
  const [manifest, setManifest] = useState('');
  const { busy, error, run } = useAction();
  const pick = (f: File | undefined) => {
    setFile(f);
    if (f && !name) setName(functionNameFor(f.name));
  };
  const deploy = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    void run(async () => {
      await api.deployFunction(token, name, new Uint8Array(await file.arrayBuffer()), manifest);
      setFile(undefined);
      setName('');
      onDeployed();
    });
  };
  return (
    <form onSubmit={deploy} data-testid="upload-form" noValidate>
      <h2>Deploy</h2>
      <FileDrop
        file={file}
        onFile={pick}
        prompt="Drop a .wasm module here, or choose one"
        accept=".wasm,application/wasm"
        testId="upload-file"
      />
      <label>
        Name <input type="text" value={name} onChange={(e) => setName(e.target.value)} data-testid="upload-name" />
      </label>
      <label>
        Manifest (JSON, optional: timeout_ms, memory_mb, allowed_hosts)
        <input
          type="text"
          value={manifest}
          onChange={(e) => setManifest(e.target.value)}
          placeholder='{"timeout_ms": 500, "allowed_hosts": ["api.example.com"]}'
          data-testid="upload-manifest"
        />
      </label>
      <button type="submit" className="primary" disabled={!file || busy} data-testid="upload-submit">
        {busy ? 'Deploying…' : 'Deploy'}
      </button>
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

function Invoke({ token, functions }: { token: string; functions: FunctionView[] }) {
  const [name, setName] = useState(functions[0]?.name ?? '');
  const [input, setInput] = useState('apprun');
  const [result, setResult] = useState<InvocationView>();
  // A refusal is a result (status and error); what lands here is a call that never got an answer.
  const { busy, error, run } = useAction();
  useEffect(() => {
    if (!functions.some((f) => f.name === name)) setName(functions[0]?.name ?? '');
  }, [functions, name]);
  const invoke = (e: FormEvent) => {
    e.preventDefault();
    setResult(undefined); // a new call: the last answer goes, so nothing mistakes it for this one
    void run(async () => setResult(await api.invokeFunction(token, name, input)));
  };
  return (
    <form onSubmit={invoke} data-testid="invoke-form" noValidate>
      <h2>Invoke</h2>
      <label>
        Function
        <select value={name} onChange={(e) => setName(e.target.value)} data-testid="invoke-name">
          {functions.map((f) => (
            <option key={f.name}>{f.name}</option>
          ))}
        </select>
      </label>
      <label>
        Input
        <textarea rows={4} value={input} onChange={(e) => setInput(e.target.value)} data-testid="invoke-input" />
      </label>
      <button type="submit" className="primary" disabled={!name || busy} data-testid="invoke-submit">
        {busy ? 'Invoking…' : 'Invoke'}
      </button>
      {result ? (
        <div className={result.ok ? 'result' : 'result result-error'} data-testid="invoke-result" role="status">
          <p>
            <strong>{result.ok ? `${result.status} OK` : `${result.status} ${result.error}`}</strong>
            {result.timings ? (
              <span className="muted" data-testid="invoke-timings">
                {' '}
                · compile {result.timings.compileMs.toFixed(2)} ms · instantiate{' '}
                {result.timings.instantiateMs.toFixed(2)} ms · run {(result.timings.runMs * 1000).toFixed(0)} µs
              </span>
            ) : null}
          </p>
          <pre data-testid="invoke-output">{result.output}</pre>
        </div>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

/** Functions of the signed-in user's tenant: list, deploy (drag and drop), invoke, delete, last errors. */
export function Functions() {
  return (
    <TenantScreen title="Functions" what="Functions">
      {(session) => <FunctionsOf token={session.token} />}
    </TenantScreen>
  );
}

function FunctionsOf({ token }: { token: string }) {
  const [functions, setFunctions] = useState<FunctionView[]>();
  const [error, setError] = useState<ApiError>();
  const [deleting, setDeleting] = useState<string>();
  const refresh = useCallback(async () => {
    try {
      setFunctions(await api.functions(token));
      setError(undefined);
    } catch (err) {
      setError(toApiError(err));
    }
  }, [token]);
  useEffect(() => void refresh(), [refresh]);
  const remove = async (name: string) => {
    setDeleting(undefined);
    try {
      await api.deleteFunction(token, name);
    } catch (err) {
      setError(toApiError(err));
    }
    void refresh();
  };
  return (
    <>
      {error ? <ErrorNotice error={error} /> : null}
      {functions === undefined ? null : functions.length === 0 ? (
        <Empty>No functions in this tenant yet: deploy an example or upload a module below.</Empty>
      ) : (
        <table className="functions" data-testid="functions-table">
          <thead>
            <tr>
              <th scope="col">name</th>
              <th scope="col">size</th>
              <th scope="col">limits</th>
              <th scope="col">network</th>
              <th scope="col">updated</th>
              <th scope="col">last error</th>
              <th scope="col" aria-label="actions" />
            </tr>
          </thead>
          <tbody>
            {functions.map((f) => (
              <tr key={f.name} data-testid={`function-row-${f.name}`}>
                <td>{f.name}</td>
                <td>{(f.size_bytes / 1024).toFixed(1)} KiB</td>
                <td>{limitsOf(f.manifest)}</td>
                <td
                  className={f.manifest.allowed_hosts?.length ? undefined : 'muted'}
                  data-testid={`function-network-${f.name}`}
                >
                  {networkOf(f.manifest)}
                </td>
                <td>{new Date(f.updated_at).toLocaleString()}</td>
                <td className={f.last_error ? 'failure' : 'muted'}>
                  {f.last_error ? `${f.last_error.kind}: ${f.last_error.message}` : '—'}
                </td>
                <td>
                  <button type="button" onClick={() => setDeleting(f.name)}>
                    delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={deleting !== undefined}
        title={`delete ${deleting}?`}
        body="The module and its metadata are removed from this tenant."
        confirmLabel="delete"
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => setDeleting(undefined)}
      />
      <Examples token={token} onDeployed={() => void refresh()} />
      <div className="two-columns">
        <Upload token={token} onDeployed={() => void refresh()} />
        {functions?.length ? <Invoke token={token} functions={functions} /> : null}
      </div>
    </>
  );
}
