-- WebAssembly functions: metadata here (never exposed by PostgREST), module bytes in MinIO. The gateway scopes every
-- query to the caller's tenant.
create table if not exists app_private.functions (
  tenant_id uuid not null references api.tenants (id) on delete cascade,
  name text not null check (name ~ '^[a-z][a-z0-9-]{0,62}$'),
  sha256 text not null,
  size_bytes integer not null,
  manifest jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_error jsonb,
  last_error_at timestamptz,
  primary key (tenant_id, name)
);
