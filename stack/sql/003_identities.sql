-- Each app user is one Kratos identity; the gateway links them at registration and at first start (seed users).
alter table api.users add column if not exists kratos_identity_id uuid unique;
