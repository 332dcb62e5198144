insert into api.notes (tenant_id, body, author) values
  ('00000000-0000-4000-8000-000000000001', 'Tenant 1 kick-off: ship the notes app', 'alice@test.com'),
  ('00000000-0000-4000-8000-000000000001', 'Remember to invite Bob', 'alice@test.com'),
  ('00000000-0000-4000-8000-000000000002', 'Tenant 2 roadmap, private', 'charlie@test.com');
