import { type FormEvent, useState } from 'react';
import { keyProblem } from '../../../server/storage/key-rules';
import { api } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FileDrop } from '../components/FileDrop';
import { Empty, ErrorNotice } from '../components/Notice';
import { saveFile } from '../download';
import { fileSize } from '../format';
import { TenantScreen } from '../session';
import { useAction } from '../use-action';
import { usePoll } from '../use-poll';

/** The largest object the gateway stores (a PUT over it is a 413). */
const MAX_OBJECT_BYTES = 10 * 2 ** 20;

function Upload({ token, prefix, onUploaded }: { token: string; prefix: string; onUploaded: () => void }) {
  const [file, setFile] = useState<File>();
  const [key, setKey] = useState('');
  const { busy, error, run } = useAction();
  // Nothing to say about a key not typed yet: the button waits for one anyway.
  const problem = key ? keyProblem(key) : undefined;
  const pick = (f: File | undefined) => {
    setFile(f);
    if (f) setKey(`${prefix}${f.name}`);
  };
  const upload = (e: FormEvent) => {
    e.preventDefault();
    if (!file || !key || problem) return;
    void run(async () => {
      await api.putObject(
        token,
        key,
        new Uint8Array(await file.arrayBuffer()),
        file.type || 'application/octet-stream',
      );
      setFile(undefined);
      setKey('');
      onUploaded();
    });
  };
  return (
    <form onSubmit={upload} data-testid="storage-upload-form" noValidate>
      <h2>Upload</h2>
      <FileDrop
        file={file}
        onFile={pick}
        prompt="Drop a file here, or choose one (10 MiB at most)"
        maxBytes={MAX_OBJECT_BYTES}
        testId="storage-file"
      />
      <label>
        Key{' '}
        <input
          type="text"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          placeholder="reports/2026/q1.csv"
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'storage-key-problem' : undefined}
          data-testid="storage-key"
        />
      </label>
      {problem ? (
        <p className="failure" id="storage-key-problem" data-testid="storage-key-problem">
          {problem}: keys are slash-separated names like "reports/2026/q1.csv"
        </p>
      ) : null}
      <button
        type="submit"
        className="primary"
        disabled={!file || !key || problem !== undefined || busy}
        data-testid="storage-upload-submit"
      >
        {busy ? 'Uploading…' : 'Upload'}
      </button>
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

function StorageOf({ token }: { token: string }) {
  const [prefix, setPrefix] = useState('');
  const { data, error, refresh } = usePoll(() => api.objects(token, prefix), 5000, [token, prefix]);
  const { error: actionError, run: act } = useAction();
  const [link, setLink] = useState<{ key: string; url: string; expiresAt: string }>();
  const [deleting, setDeleting] = useState<string>();
  const download = (key: string) =>
    act(async () => {
      const { contentType, data: bytes } = await api.getObject(token, key);
      saveFile(key.split('/').at(-1)!, new Uint8Array(bytes), contentType);
    });
  const share = (key: string) => act(async () => setLink({ key, ...(await api.presignObject(token, key, 300)) }));
  const remove = (key: string) =>
    act(async () => {
      setDeleting(undefined);
      await api.deleteObject(token, key);
      refresh();
    });
  return (
    <>
      <label className="filter">
        Prefix{' '}
        <input
          type="text"
          value={prefix}
          onChange={(e) => setPrefix(e.target.value)}
          placeholder="reports/"
          data-testid="storage-prefix"
        />
      </label>
      {error ? <ErrorNotice error={error} /> : null}
      {actionError ? <ErrorNotice error={actionError} /> : null}
      {link ? (
        <div className="notice" role="status" data-testid="storage-link">
          Link to {link.key}, valid until {new Date(link.expiresAt).toLocaleTimeString()} (the signature is part of it:
          copy it whole):
          <div className="copy-field">
            <input
              readOnly
              value={link.url}
              aria-label="signed link"
              data-testid="storage-link-url"
              onFocus={(e) => e.target.select()}
            />
            <CopyButton text={link.url} />
          </div>
        </div>
      ) : null}
      {data === undefined ? null : data.length === 0 ? (
        <Empty>No objects{prefix ? ` under "${prefix}"` : ''} in this tenant.</Empty>
      ) : (
        <table className="functions" data-testid="storage-table">
          <thead>
            <tr>
              <th scope="col">key</th>
              <th scope="col">size</th>
              <th scope="col">modified</th>
              <th scope="col" aria-label="actions" />
            </tr>
          </thead>
          <tbody>
            {data.map((o) => (
              <tr key={o.key} data-testid={`object-row-${o.key}`}>
                <td>{o.key}</td>
                <td>{fileSize(o.size)}</td>
                <td>{new Date(o.lastModified).toLocaleString()}</td>
                <td>
                  <button type="button" onClick={() => void download(o.key)}>
                    download
                  </button>
                  <button type="button" onClick={() => void share(o.key)}>
                    link
                  </button>
                  <button type="button" onClick={() => setDeleting(o.key)}>
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
        body="The object is removed from this tenant's storage."
        confirmLabel="delete"
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => setDeleting(undefined)}
      />
      <Upload token={token} prefix={prefix} onUploaded={refresh} />
    </>
  );
}

/** Copies text to the clipboard, and says so (or why not). */
function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () =>
    navigator.clipboard
      .writeText(text)
      .then(() => setState('copied'))
      .catch(() => setState('failed'));
  return (
    <button type="button" onClick={() => void copy()} data-testid="copy-link">
      {state === 'copied' ? 'copied' : state === 'failed' ? 'copy failed: select and copy' : 'copy'}
    </button>
  );
}

/** The tenant's objects in MinIO: browse by prefix, upload, download, share a short-lived link, delete. */
export function Storage() {
  return (
    <TenantScreen title="Storage" what="Objects">
      {(session) => <StorageOf token={session.token} />}
    </TenantScreen>
  );
}
