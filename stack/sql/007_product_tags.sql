-- Tags on products (a text array: filter with cs/cd/ov, e.g. ?tags=cs.{sale}), and an RPC with arguments that
-- returns rows, so a function can be filtered, ordered and embedded like a table. Both obey RLS (security invoker).
alter table api.products add column if not exists tags text[] not null default '{}';

create or replace function api.products_in_price_range(min_price numeric default 0, max_price numeric default null)
returns setof api.products
language sql stable security invoker as $$
  select * from api.products where price >= min_price and (max_price is null or price <= max_price)
$$;
revoke all on function api.products_in_price_range(numeric, numeric) from public;
grant execute on function api.products_in_price_range(numeric, numeric) to apprun_user, apprun_admin;
