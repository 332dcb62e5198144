import { useEffect, useState } from 'react';
import { formatPolicies, PolicyTextError, parsePolicies } from '../../../server/api/contract';
import { type ApiError, api, toApiError } from '../api';
import { ErrorNotice } from '../components/Notice';
import { SignedInAs, SignIn, useTenantSession } from '../session';
import { useAction } from '../use-action';

/**
 * A tenant's RBAC rules, as a tenant admin edits them: one `p, <role>, <path>, <METHOD|…>` line each, saved at once. A
 * project's apprun/policies.csv sets the /data rules of every tenant again when it is saved.
 */
export function TenantPolicies() {
  const { session } = useTenantSession();
  const [text, setText] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [invalid, setInvalid] = useState<string>();
  const [loadError, setLoadError] = useState<ApiError>();
  const { busy, error, run } = useAction();
  useEffect(() => {
    if (!session) return;
    let current = true;
    api.policies(session.token).then(
      (rules) => current && setText(formatPolicies(rules)),
      (err) => current && setLoadError(toApiError(err)),
    );
    return () => {
      current = false;
    };
  }, [session]);

  if (!session) return <SignIn what="Policies" />;
  const save = () => {
    setSaved(false);
    setInvalid(undefined);
    let rules: ReturnType<typeof parsePolicies>;
    try {
      rules = parsePolicies(text ?? '');
    } catch (err) {
      if (err instanceof PolicyTextError) return setInvalid(err.message);
      throw err;
    }
    void run(async () => {
      setText(formatPolicies(await api.savePolicies(session.token, rules)));
      setSaved(true);
    });
  };
  return (
    <div data-testid="policies">
      <SignedInAs />
      <textarea
        aria-label="policies"
        rows={12}
        cols={70}
        value={text ?? ''}
        onChange={(e) => {
          setText(e.target.value);
          setSaved(false);
        }}
        spellCheck={false}
      />
      <div className="actions">
        <button type="button" className="primary" onClick={save} disabled={busy || text === undefined}>
          save policies
        </button>
        {saved && <span role="status">saved; effective now</span>}
      </div>
      {invalid && (
        <p className="notice notice-error" role="alert">
          {invalid}
        </p>
      )}
      {(error ?? loadError) ? <ErrorNotice error={(error ?? loadError)!} /> : null}
    </div>
  );
}
