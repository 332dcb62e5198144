import { useEffect, useState } from 'react';
import type { MailMessageView } from '../../../server/api/contract';
import { type ApiError, api, toApiError } from '../api';
import { Empty, ErrorNotice } from '../components/Notice';
import { useAction } from '../use-action';
import { usePoll } from '../use-poll';

/** One message: its codes first (what a person comes for), its links, then the HTML in a frame that runs nothing. */
function MailMessage({ id }: { id: string }) {
  const [message, setMessage] = useState<MailMessageView>();
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    setMessage(undefined);
    api.mailMessage(id).then(setMessage, (err) => setError(toApiError(err)));
  }, [id]);
  if (error) return <ErrorNotice error={error} />;
  if (!message) return null;
  return (
    <article className="mail-message" data-testid="mail-message">
      <h2 data-testid="mail-subject">{message.subject}</h2>
      <p className="muted">
        from {message.from} to {message.to.join(', ')} · {new Date(message.receivedAt).toLocaleString()} ·{' '}
        {message.size} bytes
      </p>
      {message.codes.length ? (
        <p>
          Code{message.codes.length > 1 ? 's' : ''}:{' '}
          {message.codes.map((c) => (
            <code key={c} className="mail-code" data-testid="mail-code">
              {c}
            </code>
          ))}
        </p>
      ) : null}
      {message.links.length ? (
        <ul className="mail-links" data-testid="mail-links">
          {message.links.map((l) => (
            <li key={l}>
              <a href={l} target="_blank" rel="noreferrer noopener">
                {l}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {message.html ? (
        // sandbox="": no scripts, no forms, no same origin: a mail's HTML is shown, never run.
        <iframe className="mail-html" title="HTML preview" sandbox="" srcDoc={message.html} data-testid="mail-html" />
      ) : null}
      <pre data-testid="mail-text">{message.text}</pre>
      <p>
        <a href={`/api/mail/${encodeURIComponent(message.id)}/raw`} download={`${message.id}.eml`}>
          raw message (.eml)
        </a>
      </p>
    </article>
  );
}

/**
 * The mail catcher: every message sent to its SMTP port (Kratos' verification and recovery codes, the workflows'
 * welcome mail, the developer's app), newest first, searchable by recipient and subject. None leaves the machine.
 */
export function Mail() {
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string>();
  const [to, subject] = search.startsWith('subject:')
    ? [undefined, search.slice(8).trim()]
    : [search.trim(), undefined];
  const { data, error, refresh } = usePoll(() => api.mail({ to: to || undefined, subject, limit: 100 }), 2000, [
    search,
  ]);
  const clear = useAction();
  return (
    <section aria-labelledby="mail-title">
      <h1 id="mail-title">Mail</h1>
      <p className="muted">
        Apps, Kratos and the workflows send to <code>{data?.smtp ?? 'the mail catcher'}</code>; nothing is delivered.
        {data
          ? ` Keeping ${data.kept} of at most ${data.maxMessages} (${Math.round(data.bytes / 1024)} KB of ${Math.round(data.maxBytes / 2 ** 20)} MB); ${data.dropped} dropped, ${data.refused} refused as too big since the start.`
          : ''}
      </p>
      <div className="toolbar">
        <label>
          Search{' '}
          <input
            type="search"
            placeholder="recipient, or subject:…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="mail-search"
          />
        </label>
        <button
          type="button"
          disabled={clear.busy || !data?.kept}
          onClick={() =>
            void clear.run(async () => {
              await api.clearMail();
              setSelected(undefined);
              refresh();
            })
          }
        >
          Clear all
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {clear.error ? <ErrorNotice error={clear.error} /> : null}
      {data === undefined ? null : data.messages.length === 0 ? (
        <Empty>
          {search ? 'No mail matches.' : 'No mail caught yet. Register a user, or send to the SMTP address above.'}
        </Empty>
      ) : (
        <div className="mail">
          <ul className="outbox" data-testid="mail-list">
            {data.messages.map((m) => (
              <li key={m.id} className={m.id === selected ? 'selected' : undefined} data-testid="mail-item">
                <button
                  type="button"
                  className="link"
                  aria-pressed={m.id === selected}
                  onClick={() => setSelected(m.id)}
                >
                  <strong>{m.subject || '(no subject)'}</strong> → {m.to.join(', ')}{' '}
                  <span className="muted">· {new Date(m.receivedAt).toLocaleTimeString()}</span>
                </button>
              </li>
            ))}
          </ul>
          {selected ? <MailMessage id={selected} /> : <Empty>Choose a message to read it.</Empty>}
        </div>
      )}
    </section>
  );
}
