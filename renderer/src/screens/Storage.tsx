import { type DragEvent, type FormEvent, useState } from 'react';
import { ApiError, api } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Empty, ErrorNotice } from '../components/Notice';
import { TenantScreen } from '../session';
import { usePoll } from '../use-poll';

const size = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

function Upload({ token, prefix, onUploaded }: { token: string; prefix: string; onUploaded: () => void }) {
  const [file, setFile] = useState<File>();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [uploaded, setUploaded] = useState(0); // remounts the file input after an upload, clearing it
  const pick = (f: File | undefined) => {
    setFile(f);
    if (f) setKey(`${prefix}${f.name}`);
  };
  const upload = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.putObject(token, key, new Uint8Array(await file.arrayBuffer()), file.type || 'application/octet-stream');
      setFile(undefined);
      setKey('');
      setUploaded((n) => n + 1);
      onUploaded();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    pick(e.dataTransfer.files[0]);
  };
  return (
    <form onSubmit={(e) => void upload(e)} data-testid="storage-upload-form" noValidate>
      <h2>Upload</h2>
      <label
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        {file ? `${file.name} (${size(file.size)})` : 'Drop a file here, or choose one (10 MiB at most)'}
        <input key={uploaded} type="file" onChange={(e) => pick(e.target.files?.[0])} data-testid="storage-file" />
      </label>
      <label>
        Key <input type="text" value={key} onChange={(e) => setKey(e.target.value)} placeholder="reports/2026/q1.csv" data-testid="storage-key" />
      </label>
      <button type="submit" className="primary" disabled={!file || !key || busy} data-testid="storage-upload-submit">
        {busy ? 'Uploading…' : 'Upload'}
      </button>
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

function StorageOf({ token }: { token: string }) {
  const [prefix, setPrefix] = useState('');
  const { data, error, refresh } = usePoll(() => api.objects(token, prefix), 5000, [token, prefix]);
  const [actionError, setActionError] = useState<ApiError>();
  const [link, setLink] = useState<{ key: string; url: string; expiresAt: string }>();
  const [deleting, setDeleting] = useState<string>();
  const act = async (fn: () => Promise<void>) => {
    setActionError(undefined);
    try {
      await fn();
    } catch (err) {
      setActionError(err as ApiError);
    }
  };
  const download = (key: string) =>
    act(async () => {
      const { contentType, data: bytes } = await api.getObject(token, key);
      const url = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: contentType }));
      const a = document.createElement('a');
      a.href = url;
      a.download = key.split('/').at(-1)!;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
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
        Prefix <input type="text" value={prefix} onChange={(e) => setPrefix(e.target.value)} placeholder="reports/" data-testid="storage-prefix" />
      </label>
      {error ? <ErrorNotice error={error} /> : null}
      {actionError ? <ErrorNotice error={actionError} /> : null}
      {link ? (
        <p className="notice" role="status" data-testid="storage-link">
          Link to {link.key}, valid until {new Date(link.expiresAt).toLocaleTimeString()}: <a href={link.url}>{link.url.split('?')[0]}</a>
        </p>
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
                <td>{size(o.size)}</td>
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
      <ConfirmDialog open={deleting !== undefined} title={`delete ${deleting}?`} body="The object is removed from this tenant's storage." confirmLabel="delete" onConfirm={() => deleting && void remove(deleting)} onCancel={() => setDeleting(undefined)} />
      <Upload token={token} prefix={prefix} onUploaded={refresh} />
    </>
  );
}

/** The tenant's objects in MinIO: browse by prefix, upload, download, share a short-lived link, delete. */
export function Storage() {
  return <TenantScreen title="Storage" what="Objects">{(session) => <StorageOf token={session.token} />}</TenantScreen>;
}
