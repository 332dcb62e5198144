-- Which default RBAC rules each tenant has been given, so a new version's new defaults reach existing tenants once,
-- while a rule a tenant admin removed on purpose stays removed.
create table if not exists app_private.seeded_policies (
  tenant_id uuid not null references api.tenants (id) on delete cascade,
  role text not null,
  path text not null,
  method text not null,
  seeded_at timestamptz not null default now(),
  primary key (tenant_id, role, path, method)
);
