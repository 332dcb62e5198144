-- The POC's demo data. Fixed ids so tests and docs can name them; applied once, so rows a developer
-- deletes stay deleted.
insert into api.tenants (id, name, plan) values
  ('00000000-0000-4000-8000-000000000001', 'Test Tenant 1', 'free'),
  ('00000000-0000-4000-8000-000000000002', 'Test Tenant 2', 'pro')
on conflict do nothing;

insert into api.users (id, tenant_id, email, name, role) values
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'alice@test.com', 'Alice', 'admin'),
  ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-000000000001', 'bob@test.com', 'Bob', 'user'),
  ('00000000-0000-4000-8000-0000000000c2', '00000000-0000-4000-8000-000000000002', 'charlie@test.com', 'Charlie', 'admin')
on conflict do nothing;

insert into api.products (tenant_id, name, price) values
  ('00000000-0000-4000-8000-000000000001', 'Widget', 9.99),
  ('00000000-0000-4000-8000-000000000001', 'Gadget', 24.50),
  ('00000000-0000-4000-8000-000000000002', 'Gizmo', 99.00)
on conflict do nothing;
