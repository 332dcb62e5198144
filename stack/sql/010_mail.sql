-- The appliance's mail catcher: the registration workflow's welcome mail is sent through SMTP once (mailed_at), and
-- the Kratos flows the gateway started for a person's mail code (the verification flow of a registration, a recovery
-- asked for) are found again by email when the code comes back, whichever gateway it reaches.
alter table app_private.outbox add column if not exists mailed_at timestamptz;

create table if not exists app_private.auth_mail_flows (
  email text not null,
  kind text not null check (kind in ('verification', 'recovery')),
  flow_id uuid not null,
  -- wrong codes tried: five spend the flow (a new code must be asked for)
  attempts int not null default 0,
  created_at timestamptz not null default now(),
  primary key (email, kind)
);

-- Whether the user proved their address with the code mailed at registration (in their token as email_verified, for
-- a project's policies that require it).
alter table app_private.users add column if not exists email_verified boolean not null default false;
