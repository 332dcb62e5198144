import type { ReactNode } from 'react';
import type { ApiError } from '../api';

export function Loading({ what }: { what: string }) {
  return (
    <p className="notice" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorNotice({ error, children }: { error: ApiError; children?: ReactNode }) {
  return (
    <div className="notice notice-error" role="alert">
      <strong>{error.code}</strong>: {error.message}
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="notice notice-empty">{children}</p>;
}
