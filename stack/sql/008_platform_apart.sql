-- The platform apart from the project. `api`, the schema PostgREST serves, becomes the project's own (its migrations
-- in apprun/migrations); the platform's tables move to app_private, where a project's migration may not reach, and
-- keep their rows, keys, policies and grants. Schema `apprun` gives migrations their helpers.

alter table if exists api.tenants set schema app_private;
alter table if exists api.users set schema app_private;
alter table if exists api.outbox set schema app_private;
alter table if exists api.projects set schema app_private;

-- The POC's demo tables were the platform's until now: they leave `api` for the demo project's own migration to make
-- again. A home whose demo tables hold more than the seed keeps them as they are, for that migration to adopt
-- (it creates them only if missing).
do $$
begin
  if to_regclass('api.products') is not null and not exists (
    select from api.products p
    where (p.tenant_id, p.name, p.price, p.tags) not in (
      ('00000000-0000-4000-8000-000000000001'::uuid, 'Widget', 9.99, '{}'::text[]),
      ('00000000-0000-4000-8000-000000000001'::uuid, 'Gadget', 24.50, '{}'::text[]),
      ('00000000-0000-4000-8000-000000000002'::uuid, 'Gizmo', 99.00, '{}'::text[])
    )
  ) then
    drop function if exists api.product_count();
    drop function if exists api.products_in_price_range(numeric, numeric);
    drop table api.products;
  end if;
  -- The demo's tenants and users were the platform's seed too: a project brings its own (apprun/config.toml). They go
  -- unless they have lived (a user with an identity, which only a start gives), so a home of the demo keeps them.
  delete from app_private.users
  where id in ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b1',
               '00000000-0000-4000-8000-0000000000c2')
    and not exists (select from app_private.users where kratos_identity_id is not null);
  delete from app_private.tenants t
  where id in ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002')
    and not exists (select from app_private.users u where u.tenant_id = t.id);
end
$$;

create schema if not exists apprun;
grant usage on schema apprun to apprun_anon, apprun_user, apprun_admin;

-- The caller's tenant, by its friendlier name (app_private.current_tenant() keeps working).
create or replace function apprun.tenant_id() returns uuid
language sql stable parallel safe as $$ select app_private.current_tenant() $$;
revoke all on function apprun.tenant_id() from public;
grant execute on function apprun.tenant_id() to apprun_user, apprun_admin;

-- What a project declared on purpose: tables every tenant shares (read-only for tenants), security definer functions.
create table if not exists app_private.declared_objects (
  object text primary key,
  kind text not null check (kind in ('shared_table', 'definer_function')),
  declared_at timestamptz not null default now()
);

-- Dev tenants and users the project's config declares are kept in line with it at every start; these remember which.
alter table app_private.users add column if not exists from_config boolean not null default false;

/*
 * Makes a table of the project tenant-scoped in one statement: a tenant_id column set from the caller's token (added
 * if missing), row-level security enabled and forced, one policy that keeps every row to its tenant, and the grants
 * (users read and write, admins delete too).
 */
create or replace function apprun.tenant_table(tbl regclass) returns void
language plpgsql as $$
declare
  t text := tbl::text;
  policy text := 'tenant_isolation';
  seq record;
begin
  if not exists (select from pg_attribute where attrelid = tbl and attname = 'tenant_id' and not attisdropped) then
    execute format(
      'alter table %s add column tenant_id uuid not null default app_private.current_tenant() '
      'references app_private.tenants (id) on delete cascade', t);
  end if;
  execute format('create index if not exists %I on %s (tenant_id)',
    (select relname from pg_class where oid = tbl) || '_tenant_idx', t);
  execute format('alter table %s enable row level security', t);
  execute format('alter table %s force row level security', t);
  execute format('drop policy if exists %I on %s', policy, t);
  execute format(
    'create policy %I on %s for all to apprun_user, apprun_admin using (tenant_id = app_private.current_tenant()) '
    'with check (tenant_id = app_private.current_tenant())', policy, t);
  execute format('grant select, insert, update on %s to apprun_user, apprun_admin', t);
  execute format('grant delete on %s to apprun_admin', t);
  for seq in select s.oid::regclass as name from pg_class s join pg_depend d on d.objid = s.oid
             where s.relkind = 'S' and d.refobjid = tbl and d.deptype in ('a', 'i') loop
    execute format('grant usage on sequence %s to apprun_user, apprun_admin', seq.name);
  end loop;
end
$$;

/* Declares a table every tenant shares (a catalogue): tenants may read it, never write it. */
create or replace function apprun.shared_table(tbl regclass) returns void
language plpgsql as $$
begin
  insert into app_private.declared_objects (object, kind) values (tbl::text, 'shared_table')
    on conflict (object) do update set kind = excluded.kind;
  execute format('revoke insert, update, delete, truncate on %s from public, apprun_anon, apprun_user, apprun_admin', tbl);
  execute format('grant select on %s to apprun_user, apprun_admin', tbl);
end
$$;

/* Declares a security definer function of the project as meant: it runs with its owner's rights, past RLS. */
create or replace function apprun.definer_function(fn regprocedure) returns void
language sql as $$
  insert into app_private.declared_objects (object, kind) values (fn::text, 'definer_function')
    on conflict (object) do update set kind = excluded.kind
$$;

/*
 * What in `api` a tenant role can reach that is not tenant-safe: one row per problem, with the SQL that fixes it.
 * Tables need row-level security enabled and forced, and every policy that applies to tenant roles must use the tenant
 * claim; views must run as their caller (security_invoker); functions as their caller unless declared. Empty: safe.
 */
create or replace function apprun.tenant_safety()
returns table (object text, kind text, problem text, fix text)
language plpgsql stable as $$
declare
  tenant_roles oid[] := array(select oid from pg_roles where rolname in ('apprun_anon', 'apprun_user', 'apprun_admin'));
  rel record;
  pol record;
  fn record;
  name text;
  policies int;
  claim text := 'current_tenant\(\)|tenant_id\(\)|request\.jwt\.claims';
begin
  for rel in
    select c.oid, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, coalesce(c.reloptions, '{}') as opts
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'api' and c.relkind in ('r', 'p', 'v', 'm', 'f')
    order by c.relname
  loop
    continue when not exists (
      select from unnest(tenant_roles) r
      where has_table_privilege(r, rel.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER'));
    name := format('api.%I', rel.relname);
    if exists (select from app_private.declared_objects d where d.object = rel.oid::regclass::text and d.kind = 'shared_table') then
      if exists (select from unnest(tenant_roles) r where has_table_privilege(r, rel.oid, 'INSERT,UPDATE,DELETE,TRUNCATE')) then
        return query select name, 'table'::text, 'is declared shared by every tenant, but tenants may write it',
          format('revoke insert, update, delete, truncate on %s from public, apprun_anon, apprun_user, apprun_admin;', name);
      end if;
      continue;
    end if;
    if rel.relkind = 'v' then
      if not (rel.opts && array['security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes']) then
        return query select name, 'view'::text,
          'runs with its owner''s rights, so row-level security of the tables it reads does not apply to the caller',
          format('alter view %s set (security_invoker = true);', name);
      end if;
      continue;
    end if;
    if rel.relkind in ('m', 'f') then
      return query select name, case rel.relkind when 'm' then 'materialized view' else 'foreign table' end,
        'has no row-level security, so every tenant reads all of it',
        format('revoke all on %s from public, apprun_anon, apprun_user, apprun_admin;  -- or select apprun.shared_table(%L);',
               name, name);
      continue;
    end if;
    if not rel.relrowsecurity then
      return query select name, 'table'::text, 'has row-level security off, so every tenant reads every row',
        format('select apprun.tenant_table(%L);', name);
      continue;
    end if;
    if not rel.relforcerowsecurity then
      return query select name, 'table'::text, 'has row-level security on but not forced, so its owner bypasses it',
        format('alter table %s force row level security;', name);
    end if;
    policies := 0;
    for pol in
      select p.polname, coalesce(pg_get_expr(p.polqual, p.polrelid), '') as q,
             coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') as w
      from pg_policy p
      where p.polrelid = rel.oid and p.polpermissive and (0 = any(p.polroles) or p.polroles && tenant_roles)
    loop
      policies := policies + 1;
      if (pol.q <> '' and pol.q !~ claim) or (pol.w <> '' and pol.w !~ claim) or (pol.q = '' and pol.w = '') then
        return query select name, 'table'::text,
          format('has policy %I, which does not use the tenant claim (%s)', pol.polname,
                 coalesce(nullif(pol.q, ''), nullif(pol.w, ''), 'true')),
          format('drop policy %I on %s;  select apprun.tenant_table(%L);', pol.polname, name, name);
      end if;
    end loop;
    if policies = 0 then
      return query select name, 'table'::text, 'has row-level security on but no policy for tenants on the tenant claim',
        format('select apprun.tenant_table(%L);', name);
    end if;
  end loop;
  for fn in
    select p.oid, p.proname, pg_get_function_identity_arguments(p.oid) as args
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'api' and p.prosecdef and p.prokind in ('f', 'p')
    order by p.proname
  loop
    continue when not exists (select from unnest(tenant_roles) r where has_function_privilege(r, fn.oid, 'EXECUTE'));
    continue when exists (
      select from app_private.declared_objects d where d.object = fn.oid::regprocedure::text and d.kind = 'definer_function');
    name := format('api.%I(%s)', fn.proname, fn.args);
    return query select name, 'function'::text,
      'is security definer: it runs with its owner''s rights, past row-level security',
      format('alter function %s security invoker;  -- or, if meant: select apprun.definer_function(%L);', name, name);
  end loop;
end
$$;
grant execute on function apprun.tenant_safety() to public;

/*
 * While a project's migration runs (apprun.migration = 'project'), nothing of the platform may change: any DDL on an
 * object in app_private, apprun or apprun_kpi is refused with the object named. (Grants and roles are compared before
 * and after the migration instead: an event trigger cannot see what a GRANT names.)
 */
create or replace function app_private.refuse_platform_ddl() returns event_trigger
language plpgsql as $$
declare
  obj record;
  platform text := '^(app_private|apprun|apprun_kpi)\.';
begin
  if coalesce(current_setting('apprun.migration', true), '') <> 'project' then return; end if;
  if tg_event = 'sql_drop' then
    for obj in select * from pg_event_trigger_dropped_objects() loop
      if obj.schema_name in ('app_private', 'apprun', 'apprun_kpi') or obj.object_identity ~ platform then
        raise exception 'a project migration may not drop the platform''s % %', obj.object_type, obj.object_identity
          using hint = 'the platform''s tables and helpers live in app_private and apprun; change your own objects in api';
      end if;
    end loop;
  else
    for obj in select * from pg_event_trigger_ddl_commands() loop
      if obj.schema_name in ('app_private', 'apprun', 'apprun_kpi') or obj.object_identity ~ platform
         or obj.object_identity ~ ' on (app_private|apprun|apprun_kpi)\.' then
        raise exception 'a project migration may not change the platform''s % % (%)', obj.object_type,
          obj.object_identity, obj.command_tag
          using hint = 'the platform''s tables and helpers live in app_private and apprun; change your own objects in api';
      end if;
    end loop;
  end if;
end
$$;
drop event trigger if exists apprun_refuse_platform_ddl;
create event trigger apprun_refuse_platform_ddl on ddl_command_end execute function app_private.refuse_platform_ddl();
drop event trigger if exists apprun_refuse_platform_drop;
create event trigger apprun_refuse_platform_drop on sql_drop execute function app_private.refuse_platform_ddl();

/*
 * What a project's migration must leave as it found it, one row per object: the privileges on the platform's schemas
 * and everything in them, the default privileges there, and the tenant roles (their attributes and memberships).
 */
create or replace function app_private.platform_fingerprint()
returns table (object text, state text)
language sql stable as $$
  select format('schema %s', n.nspname), coalesce(n.nspacl::text, '')
  from pg_namespace n where n.nspname in ('app_private', 'apprun', 'apprun_kpi')
  union all
  select format('%s %s', case c.relkind when 'S' then 'sequence' when 'v' then 'view' else 'table' end,
                c.oid::regclass::text), coalesce(c.relacl::text, '') || ' rls=' || c.relrowsecurity
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('app_private', 'apprun', 'apprun_kpi')
  union all
  select format('function %s', p.oid::regprocedure::text), coalesce(p.proacl::text, '') || ' definer=' || p.prosecdef
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname in ('app_private', 'apprun', 'apprun_kpi')
  union all
  select format('default privileges in schema %s', n.nspname), string_agg(d.defaclacl::text, ',' order by d.defaclobjtype)
  from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace
  where n.nspname in ('app_private', 'apprun', 'apprun_kpi') group by n.nspname
  union all
  select format('role %s', r.rolname),
         concat_ws(' ', r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolreplication,
                   r.rolbypassrls,
                   (select string_agg(g.rolname, ',' order by g.rolname) from pg_auth_members m
                    join pg_roles g on g.oid = m.roleid where m.member = r.oid))
  from pg_roles r where r.rolname in ('apprun_anon', 'apprun_user', 'apprun_admin', 'authenticator', 'kratos')
$$;

-- The KPI center's and the benchmarks' own fixture, beside any project: a tenant-scoped table and the tenants and users
-- it embeds, in a schema PostgREST serves as a second profile (Accept-Profile: apprun_kpi).
create schema if not exists apprun_kpi;
grant usage on schema apprun_kpi to apprun_anon, apprun_user, apprun_admin;
create table if not exists apprun_kpi.products (
  id bigint generated by default as identity primary key,
  tenant_id uuid not null default app_private.current_tenant() references app_private.tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  price numeric(12, 2) not null check (price >= 0),
  created_at timestamptz not null default now(),
  unique (tenant_id, name)
);
create index if not exists kpi_products_tenant_idx on apprun_kpi.products (tenant_id);
alter table apprun_kpi.products enable row level security;
alter table apprun_kpi.products force row level security;
drop policy if exists products_own_tenant on apprun_kpi.products;
create policy products_own_tenant on apprun_kpi.products for all to apprun_user, apprun_admin
  using (tenant_id = app_private.current_tenant()) with check (tenant_id = app_private.current_tenant());
grant select, insert, update on apprun_kpi.products to apprun_user, apprun_admin;
grant delete on apprun_kpi.products to apprun_admin;
create or replace view apprun_kpi.tenants with (security_invoker = true) as
  select id, name, plan, created_at from app_private.tenants;
create or replace view apprun_kpi.users with (security_invoker = true) as
  select id, tenant_id, email, name, role, created_at from app_private.users;
grant select on apprun_kpi.tenants, apprun_kpi.users to apprun_user, apprun_admin;

-- A project's own migrations (apprun/migrations/*.sql), each recorded once with its checksum, and the project's state
-- in this database (whether its seed has run).
create table if not exists app_private.project_migrations (
  name text primary key,
  checksum text not null,
  applied_at timestamptz not null default now()
);
create table if not exists app_private.project_state (
  key text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);
