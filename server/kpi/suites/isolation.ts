import { ask, check, deployHello, statusIs } from './http-case.js';
import { type CaseResult, FIXTURE_READ, FIXTURE_WRITE, type Suite } from './suite.js';

const rowsOf = (json: unknown) => (Array.isArray(json) ? json.length : -1);

/**
 * The attack matrix: tenant 1's admin (alice) goes for tenant 2's rows, objects, functions and workflows through
 * the gateway and straight at PostgREST, and forged or missing tokens are tried. Tenant 2's own things are made by
 * tenant 2's admin (charlie) for the run and removed after it.
 */
export const isolationSuite: Suite = {
  name: 'isolation',
  deadlineMs: { quick: 60_000, full: 60_000 },
  async run(ctx) {
    const g = ctx.gatewayUrl;
    // One tenant's admin (alice, in the demo) attacks another's (charlie's), on the KPI fixture's tables.
    const alice = await ctx.token(ctx.people().admin);
    const charlie = await ctx.token(ctx.people().otherAdmin);
    const T2: string = JSON.parse(Buffer.from(charlie.split('.')[1]!, 'base64url').toString()).tenant_id;
    const read = { ...FIXTURE_READ };
    const write = { ...FIXTURE_WRITE };
    const stamp = Date.now().toString(36);
    const key = `kpi-isolation-${stamp}/secret.txt`;
    const fn = `kpi-iso-${stamp}`;
    ctx.progress('tenant 2 makes an object, a function and a workflow to attack', 0.1);
    const put = await ask('PUT', `${g}/storage/${key}`, {
      token: charlie,
      body: 'tenant 2 only',
      headers: { 'content-type': 'text/plain' },
    });
    if (put.status !== 201) throw new Error(`tenant 2 could not store its object: ${put.status}`);
    const deployed = await deployHello(g, charlie, fn);
    if (deployed.status !== 201) throw new Error(`tenant 2 could not deploy its function: ${deployed.status}`);
    const wf = await ask('POST', `${g}/workflows/registration`, {
      token: charlie,
      json: { email: `kpi-${stamp}@t2.test` },
    });
    const tampered = (() => {
      const [h, p, s] = alice.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      return [h, Buffer.from(JSON.stringify({ ...claims, tenant_id: T2 })).toString('base64url'), s].join('.');
    })();
    try {
      ctx.progress('tenant 1 attacks', 0.4);
      const cases: CaseResult[] = await Promise.all([
        check(
          'read another tenant’s rows (gateway)',
          `GET /data/products?tenant_id=eq.${T2}`,
          '200, no rows',
          async () => {
            const a = await ask('GET', `${g}/data/products?tenant_id=eq.${T2}`, { token: alice, headers: read });
            return { observed: `${a.status}, ${rowsOf(a.json)} rows`, pass: a.status === 200 && rowsOf(a.json) === 0 };
          },
        ),
        check(
          'read another tenant’s rows (PostgREST directly)',
          `GET :postgrest/products?tenant_id=eq.${T2}`,
          '200, no rows (RLS)',
          async () => {
            const a = await ask('GET', `${ctx.postgrestUrl}/products?tenant_id=eq.${T2}`, {
              token: alice,
              headers: read,
            });
            return { observed: `${a.status}, ${rowsOf(a.json)} rows`, pass: a.status === 200 && rowsOf(a.json) === 0 };
          },
        ),
        check('insert a row into another tenant (gateway)', 'POST /data/products {tenant_id: T2}', '403', async () =>
          statusIs(403)(
            await ask('POST', `${g}/data/products`, {
              token: alice,
              json: { tenant_id: T2, name: 'x', price: 1 },
              headers: write,
            }),
          ),
        ),
        check(
          'insert a row into another tenant (PostgREST directly)',
          'POST :postgrest/products {tenant_id: T2}',
          '401/403 (RLS)',
          async () =>
            statusIs(
              401,
              403,
            )(
              await ask('POST', `${ctx.postgrestUrl}/products`, {
                token: alice,
                json: { tenant_id: T2, name: 'x', price: 1 },
                headers: write,
              }),
            ),
        ),
        check(
          'update another tenant’s rows (PostgREST directly)',
          `PATCH :postgrest/products?tenant_id=eq.${T2}`,
          'no row changed',
          async () => {
            const a = await ask('PATCH', `${ctx.postgrestUrl}/products?tenant_id=eq.${T2}`, {
              token: alice,
              json: { name: 'pwned' },
              headers: { prefer: 'return=representation', ...write },
            });
            return { observed: `${a.status}, ${rowsOf(a.json)} rows changed`, pass: rowsOf(a.json) <= 0 };
          },
        ),
        check('read another tenant’s object', `GET /storage/${key}`, '404', async () =>
          statusIs(404)(await ask('GET', `${g}/storage/${key}`, { token: alice })),
        ),
        check('climb out of the tenant’s prefix', `GET /storage/../${T2}/${key}`, '400 or 404', async () =>
          statusIs(400, 404)(await ask('GET', `${g}/storage/%2E%2E/${T2}/${key}`, { token: alice })),
        ),
        check('invoke another tenant’s function', `POST /functions/${fn}/invoke`, '404', async () =>
          statusIs(404)(
            await ask('POST', `${g}/functions/${fn}/invoke`, {
              token: alice,
              body: 'x',
              headers: { 'content-type': 'text/plain' },
            }),
          ),
        ),
        check('read another tenant’s workflow', 'GET /workflows/<tenant 2 workflow>', '404', async () => {
          if (wf.status !== 201 && wf.status !== 200)
            return { observed: `tenant 2's workflow did not start (${wf.status})`, pass: false };
          return statusIs(404)(
            await ask('GET', `${g}/workflows/${encodeURIComponent(wf.json.workflowId)}`, { token: alice }),
          );
        }),
        check(
          'a token whose tenant was rewritten',
          'GET /data/products (tenant_id changed, signature kept)',
          '401',
          async () => statusIs(401)(await ask('GET', `${g}/data/products`, { token: tampered, headers: read })),
        ),
        check('the same forged token straight at PostgREST', 'GET :postgrest/products', '401', async () =>
          statusIs(401)(await ask('GET', `${ctx.postgrestUrl}/products`, { token: tampered, headers: read })),
        ),
        check('no token', 'GET /data/products', '401', async () =>
          statusIs(401)(await ask('GET', `${g}/data/products`, { headers: read })),
        ),
      ]);
      return { values: { cases: cases.length, blocked: cases.filter((c) => c.pass).length }, cases };
    } finally {
      ctx.progress('tenant 2 removes what it made', 0.9);
      await ask('DELETE', `${g}/storage/${key}`, { token: charlie }).catch(() => undefined);
      await ask('DELETE', `${g}/functions/${fn}`, { token: charlie }).catch(() => undefined);
    }
  },
};
