-- Rows for a fresh database and for every `apprun db reset`, after the migrations and the tenants and users of
-- config.toml. It runs with full rights, so it names each row's tenant.
insert into api.products (tenant_id, name, price) values
  ('00000000-0000-4000-8000-000000000001', 'Widget', 9.99),
  ('00000000-0000-4000-8000-000000000001', 'Gadget', 24.50),
  ('00000000-0000-4000-8000-000000000002', 'Gizmo', 99.00)
on conflict do nothing;
