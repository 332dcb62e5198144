import { describe, expect, it } from 'vitest';
import { mutate, randomModule } from '../functions/test-support/random-module.js';
import { call, coreRssBytes, deployFunction, expectCleanError, gateway, tokenFor, wasmModule } from './http.js';

// A bounded fuzz run through the real gateway (the longer one is `npm run bench:wasm-fuzz`): random valid modules
// and byte-mutated examples, deployed and invoked. Whatever they do, every answer is a clean one.
const RANDOM = 15;
const MUTATED = 15;
const DEPLOY_ANSWERS = [201, 400];
const INVOKE_ANSWERS = [200, 422, 504];

describe('fuzzed modules through deploy and invoke', () => {
  it(`${RANDOM} random modules and ${MUTATED} mutated examples: 201 or a clean 400 at deploy, then 200, 422 or 504; ` +
    `never a 500`, async () => {
    const alice = await tokenFor('alice@test.com');
    const rssBefore = coreRssBytes();
    const modules = [
      ...Array.from({ length: RANDOM }, (_, i) => ({ name: `fuzz-random-${i}`, bytes: randomModule(1000 + i) })),
      ...Array.from({ length: MUTATED }, (_, i) => ({
        name: `fuzz-mutated-${i}`,
        bytes: mutate(new Uint8Array(wasmModule(['hello', 'whoami', 'price-with-tax'][i % 3]!)), 2000 + i),
      })),
    ];
    const outcomes: Record<string, number> = {};
    for (const { name, bytes } of modules) {
      const deployed = await deployFunction(gateway(''), alice, name, Buffer.from(bytes), { timeout_ms: 300 });
      expect(DEPLOY_ANSWERS, `${name} deploy: ${deployed.status} ${JSON.stringify(deployed.json)}`).toContain(
        deployed.status,
      );
      if (deployed.status !== 201) {
        expect(deployed.json.error).toBe('invalid_module');
        outcomes['refused at deploy'] = (outcomes['refused at deploy'] ?? 0) + 1;
        continue;
      }
      const res = await call('POST', gateway(`/functions/${name}/invoke`), {
        token: alice,
        body: 'fuzz',
        headers: { 'content-type': 'text/plain' },
      });
      expect(INVOKE_ANSWERS, `${name} invoke: ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
      if (res.status !== 200) expectCleanError(res, res.status);
      outcomes[res.status === 200 ? 'ran' : res.json.error] =
        (outcomes[res.status === 200 ? 'ran' : res.json.error] ?? 0) + 1;
      expect((await call('DELETE', gateway(`/functions/${name}`), { token: alice })).status).toBe(204);
    }
    expect((await call('GET', gateway('/healthz'))).status).toBe(200);
    // Every kind of outcome occurred, so the run exercised what it claims to.
    expect(Object.keys(outcomes).sort(), JSON.stringify(outcomes)).toEqual(
      expect.arrayContaining(['ran', 'refused at deploy', 'trap']),
    );
    // The core gave back what the modules took (threads and caches are bounded); a generous bound, not a target.
    expect(coreRssBytes() - rssBefore, `core RSS before ${rssBefore}, after ${coreRssBytes()}`).toBeLessThan(
      150 * 1024 * 1024,
    );
  }, 180_000);
});
