import type { ParityCase } from './compare.js';

/** Rows the read cases see besides the seed (tenant 1); created once by the suite, removed at its end. */
export const READ_FIXTURES = {
  products: [
    { name: 'parity-apple', price: 1.5, tags: ['fruit', 'sale'] },
    { name: 'parity-banana', price: 5, tags: ['fruit'] },
    { name: 'parity-cherry', price: 12.25, tags: [] },
  ],
  projects: [
    { name: 'parity-unowned', owner_email: null },
    { name: 'parity-owned', owner_email: 'owner@test.com' },
  ],
};

/** Rows the write cases start from, put back before each door runs. */
export const WRITE_FIXTURES = [
  { name: 'parity-w-one', price: 1, tags: ['w'] },
  { name: 'parity-w-two', price: 2, tags: ['w'] },
];

const bulk = (n: number, width: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `parity-bulk-${String(i).padStart(4, '0')}-${'x'.repeat(width)}`,
    price: i / 4,
    tags: ['bulk'],
  }));

const c = (name: string, run: ParityCase['run'], writes = false): ParityCase => ({ name, run, writes });
const ours = '00000000-0000-4000-8000-000000000001';
const theirs = '00000000-0000-4000-8000-000000000002';

export const READ_CASES: ParityCase[] = [
  // selects, renames, casts
  c('select *', (db) => db.from('products').select('*').order('id')),
  c('select columns with renames and casts', (db) =>
    db.from('products').select('label:name, price_text:price::text, whole:price::int').order('name'),
  ),
  c('select a JSON path and an array element', (db) =>
    db.from('products').select('name, first_tag:tags->0').like('name', 'parity-%').order('name'),
  ),
  c('select an unknown column', (db) => db.from('products').select('name, nope')),
  // embedded resources
  c('embed many-to-one', (db) => db.from('products').select('name, tenants(name, plan)').order('name')),
  c('embed one-to-many', (db) => db.from('tenants').select('name, products(name, price)').order('name')),
  c('embed with an alias and a filter on the embedding', (db) =>
    db.from('tenants').select('name, cheap:products(name)').lt('cheap.price', 10).order('name'),
  ),
  c('embed !inner, filtered through the embedding', (db) =>
    db.from('products').select('name, tenants!inner(name)').eq('tenants.name', 'Test Tenant 1').order('name'),
  ),
  c('embed !inner that matches nothing', (db) =>
    db.from('products').select('name, tenants!inner(name)').eq('tenants.name', 'Test Tenant 2'),
  ),
  c('spread a many-to-one embedding', (db) =>
    db.from('products').select('name, ...tenants(tenant_name:name)').order('name'),
  ),
  c('count of an embedding', (db) => db.from('tenants').select('name, products(count)')),
  c('embed two levels', (db) => db.from('users').select('email, tenants(name, products(name))').order('email')),
  c('embed an unrelated table', (db) => db.from('products').select('name, outbox(*)')),
  // filter operator families
  c('eq', (db) => db.from('products').select('name').eq('name', 'Widget')),
  c('neq', (db) => db.from('products').select('name').neq('name', 'Widget').order('name')),
  c('gt / gte / lt / lte', (db) =>
    db
      .from('products')
      .select('name')
      .gt('price', 1)
      .gte('price', 1.5)
      .lt('price', 25)
      .lte('price', 24.5)
      .order('name'),
  ),
  c('like / ilike', (db) =>
    db.from('products').select('name').like('name', 'parity-%').ilike('name', '%AN%').order('name'),
  ),
  c('likeAnyOf / ilikeAllOf', (db) =>
    db.from('products').select('name').likeAnyOf('name', ['W%', 'G%']).ilikeAllOf('name', ['%g%', '%t']).order('name'),
  ),
  c('match / imatch (regex)', (db) =>
    db
      .from('products')
      .select('name')
      .regexMatch('name', '^parity-[ab]')
      .filter('name', 'imatch', 'APPLE|BANANA')
      .order('name'),
  ),
  c('in', (db) =>
    db.from('products').select('name').in('name', ['Widget', 'Gadget', 'Gizmo', 'parity-apple']).order('name'),
  ),
  c('is null / is not null', (db) =>
    db.from('projects').select('name').like('name', 'parity-%').is('owner_email', null),
  ),
  c('not is null', (db) => db.from('projects').select('name').like('name', 'parity-%').not('owner_email', 'is', null)),
  c('isdistinct', (db) =>
    db.from('projects').select('name').like('name', 'parity-%').isDistinct('owner_email', 'owner@test.com'),
  ),
  c('full-text search (fts, plfts, phfts, wfts)', (db) =>
    db
      .from('products')
      .select('name')
      .textSearch('name', 'widget')
      .textSearch('name', 'widget', { type: 'plain' })
      .textSearch('name', 'widget', { type: 'phrase' })
      .textSearch('name', 'widget', { type: 'websearch' }),
  ),
  c('array contains / containedBy / overlaps', (db) =>
    db
      .from('products')
      .select('name')
      .contains('tags', ['fruit'])
      .containedBy('tags', ['fruit', 'sale', 'new'])
      .overlaps('tags', ['sale', 'x'])
      .order('name'),
  ),
  c('a range operator on a column that is no range', (db) =>
    db.from('products').select('name').rangeGt('name', '[1,2]'),
  ),
  c('any / all modifiers', (db) =>
    db
      .from('products')
      .select('name')
      .filter('name', 'like(any)', '{W%,parity-a%}')
      .filter('name', 'like(all)', '{%e%,%t%}')
      .order('name'),
  ),
  c('or with nested and', (db) =>
    db.from('products').select('name').or('name.eq.Widget,and(price.gt.10,price.lt.13)').order('name'),
  ),
  c('not with or', (db) => db.from('products').select('name').not('name', 'in', '("Widget","Gadget")').order('name')),
  c('match (several eq at once)', (db) => db.from('products').select('name').match({ name: 'Gadget', price: 24.5 })),
  c('an unknown operator', (db) => db.from('products').select('name').filter('name', 'xx', 'y')),
  c('a filter on another tenant’s rows', (db) => db.from('products').select('name').eq('tenant_id', theirs)),
  c('a filter on our own tenant', (db) => db.from('products').select('name').eq('tenant_id', ours).order('name')),
  // ordering, limits, ranges
  c('order by two columns, nulls first', (db) =>
    db.from('products').select('name, price').order('price', { ascending: false, nullsFirst: true }).order('name'),
  ),
  c('order inside an embedding', (db) =>
    db.from('tenants').select('name, products(name)').order('name', { referencedTable: 'products', ascending: false }),
  ),
  c('limit', (db) => db.from('products').select('name').order('name').limit(2)),
  c('range', (db) => db.from('products').select('name').order('name').range(1, 2)),
  c('range past the end', (db) => db.from('products').select('name').order('name').range(50, 60)),
  c('range past the end with an exact count', (db) =>
    db.from('products').select('name', { count: 'exact' }).order('name').range(50, 60),
  ),
  c('limit inside an embedding', (db) =>
    db
      .from('tenants')
      .select('name, products(name)')
      .limit(1, { referencedTable: 'products' })
      .order('name', { referencedTable: 'products' }),
  ),
  // single rows
  c('single with one row', (db) => db.from('products').select('name, price').eq('name', 'Widget').single()),
  c('single with many rows', (db) => db.from('products').select('name').single()),
  c('single with no row', (db) => db.from('products').select('name').eq('name', 'none').single()),
  c('maybeSingle with no row', (db) => db.from('products').select('name').eq('name', 'none').maybeSingle()),
  c('maybeSingle with many rows', (db) => db.from('products').select('name').maybeSingle()),
  // counts and HEAD
  c('exact count', (db) => db.from('products').select('name', { count: 'exact' }).order('name')),
  c('planned count', (db) => db.from('products').select('name', { count: 'planned' }).order('name')),
  c('estimated count', (db) => db.from('products').select('name', { count: 'estimated' }).order('name')),
  c('head: true with an exact count (HEAD)', (db) => db.from('products').select('*', { count: 'exact', head: true })),
  c('head: true with a filter', (db) =>
    db.from('products').select('*', { count: 'exact', head: true }).like('name', 'parity-%'),
  ),
  c('head: true on an unknown table', (db) => db.from('nope').select('*', { head: true })),
  // other representations
  c('csv', (db) => db.from('products').select('name, price, tags').order('name').csv()),
  c('geojson (no PostGIS here)', (db) => db.from('products').select('name').geojson()),
  c('explain (plans disabled)', (db) => db.from('products').select('name').explain()),
  c('stripNulls', (db) =>
    db.from('projects').select('name, owner_email').like('name', 'parity-%').order('name').stripNulls(),
  ),
  // RPC
  c('rpc by POST', (db) => db.rpc('product_count')),
  c('rpc by GET', (db) => db.rpc('product_count', {}, { get: true })),
  c('rpc by HEAD, with a count', (db) =>
    db.rpc('products_in_price_range', { min_price: 2 }, { head: true, count: 'exact' }),
  ),
  c('rpc with arguments, filtered and ordered', (db) =>
    db.rpc('products_in_price_range', { min_price: 2, max_price: 30 }).select('name, price').order('name'),
  ),
  c('rpc by GET with arguments, embedding', (db) =>
    db.rpc('products_in_price_range', { min_price: 10 }, { get: true }).select('name, tenants(name)').order('name'),
  ),
  c('rpc with an unknown argument', (db) => db.rpc('products_in_price_range', { cheapest: 1 })),
  c('rpc that does not exist', (db) => db.rpc('no_such_function')),
  // errors
  c('unknown table', (db) => db.from('no_such_table').select('*')),
  c('a table outside the exposed schema', (db) => db.from('seeded_policies').select('*')),
];

export const WRITE_CASES: ParityCase[] = [
  // inserts
  c('insert one, return=minimal', (db) => db.from('products').insert({ name: 'parity-new', price: 3 }), true),
  c(
    'insert one with select',
    (db) =>
      db
        .from('products')
        .insert({ name: 'parity-new', price: 3, tags: ['n'] })
        .select('name, price, tags'),
    true,
  ),
  c(
    'insert one with select().single()',
    (db) => db.from('products').insert({ name: 'parity-new', price: 3 }).select().single(),
    true,
  ),
  c(
    'bulk insert',
    (db) =>
      db
        .from('products')
        .insert([
          { name: 'parity-b1', price: 1, tags: [] },
          { name: 'parity-b2', price: 2, tags: ['x'] },
        ])
        .select('name, tags'),
    true,
  ),
  c(
    'bulk insert with differing columns (missing → null)',
    (db) =>
      db
        .from('products')
        .insert([
          { name: 'parity-b1', price: 1 },
          { name: 'parity-b2', price: 2, tags: ['x'] },
        ])
        .select('name, tags'),
    true,
  ),
  c(
    'bulk insert with defaultToNull: false (missing=default)',
    (db) =>
      db
        .from('products')
        .insert(
          [
            { name: 'parity-d1', price: 1 },
            { name: 'parity-d2', price: 2, tags: ['x'] },
          ],
          { defaultToNull: false },
        )
        .select('name, tags'),
    true,
  ),
  c('bulk insert over 64 KiB', (db) => db.from('products').insert(bulk(700, 120)).select('name, price'), true),
  c(
    'insert with an exact count',
    (db) =>
      db.from('products').insert(
        [
          { name: 'parity-c1', price: 1 },
          { name: 'parity-c2', price: 1 },
        ],
        { count: 'exact' },
      ),
    true,
  ),
  c(
    'insert a duplicate (unique violation)',
    (db) => db.from('products').insert({ name: 'parity-w-one', price: 1 }),
    true,
  ),
  c('insert a check violation', (db) => db.from('products').insert({ name: 'parity-neg', price: -1 }), true),
  c(
    'insert an unknown column',
    (db) => db.from('products').insert({ name: 'parity-x', price: 1, colour: 'red' }),
    true,
  ),
  c(
    'insert a row for another tenant',
    (db) => db.from('products').insert({ name: 'parity-theirs', price: 1, tenant_id: theirs }),
    true,
  ),
  c(
    'insert a row naming our own tenant',
    (db) => db.from('products').insert({ name: 'parity-ours', price: 1, tenant_id: ours }).select('name'),
    true,
  ),
  c(
    'insert into a read-only table',
    (db) =>
      db.from('outbox').insert({ to_email: 'a@b.c', subject: 's', body: 'b', workflow_id: 'parity', tenant_id: ours }),
    true,
  ),
  // upserts
  c(
    'upsert merging a duplicate',
    (db) =>
      db
        .from('products')
        .upsert({ name: 'parity-w-one', price: 9 }, { onConflict: 'tenant_id,name' })
        .select('name, price'),
    true,
  ),
  c(
    'upsert ignoring a duplicate',
    (db) =>
      db
        .from('products')
        .upsert(
          [
            { name: 'parity-w-one', price: 9 },
            { name: 'parity-up', price: 4 },
          ],
          { onConflict: 'tenant_id,name', ignoreDuplicates: true },
        )
        .select('name, price'),
    true,
  ),
  c(
    'upsert with an unknown conflict target',
    (db) => db.from('products').upsert({ name: 'parity-w-one', price: 9 }, { onConflict: 'price' }),
    true,
  ),
  // updates
  c(
    'update with select',
    (db) => db.from('products').update({ price: 7 }).eq('name', 'parity-w-one').select('name, price'),
    true,
  ),
  c(
    'update with an exact count',
    (db) =>
      db
        .from('products')
        .update({ tags: ['u'] }, { count: 'exact' })
        .like('name', 'parity-w-%'),
    true,
  ),
  c('update that matches nothing', (db) => db.from('products').update({ price: 7 }).eq('name', 'none').select(), true),
  c('update to a check violation', (db) => db.from('products').update({ price: -7 }).eq('name', 'parity-w-one'), true),
  c('update another tenant’s row', (db) => db.from('products').update({ price: 0 }).eq('name', 'Gizmo').select(), true),
  c(
    'update moving a row to another tenant',
    (db) => db.from('products').update({ tenant_id: theirs }).eq('name', 'parity-w-one'),
    true,
  ),
  // deletes
  c('delete', (db) => db.from('products').delete().eq('name', 'parity-w-one'), true),
  c('delete with select', (db) => db.from('products').delete().eq('name', 'parity-w-one').select('name, price'), true),
  c(
    'delete with an exact count',
    (db) => db.from('products').delete({ count: 'exact' }).like('name', 'parity-w-%'),
    true,
  ),
  c(
    'delete with an exact count and select',
    (db) => db.from('products').delete({ count: 'exact' }).like('name', 'parity-w-%').select('name'),
    true,
  ),
  c('delete another tenant’s row', (db) => db.from('products').delete().eq('name', 'Gizmo').select(), true),
  c('delete by a filter on an unknown column', (db) => db.from('products').delete().eq('nope', 1), true),
];
