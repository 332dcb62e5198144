-- The access explainer's counting role: how many rows a filter matches across every tenant, to say how many RLS hid
-- from a caller. It reads (pg_read_all_data: SELECT everywhere, nothing else), bypasses RLS, cannot log in, and is
-- reached only through PostgREST with a token the gateway mints for one explanation (never given out); the explainer
-- sends it HEAD requests with a count, so it returns counts, never the rows.
do $$
begin
  if not exists (select from pg_roles where rolname = 'apprun_explainer') then
    create role apprun_explainer nologin bypassrls;
  end if;
end
$$;
grant pg_read_all_data to apprun_explainer;
grant apprun_explainer to authenticator;
alter role apprun_explainer set default_transaction_read_only = on;
