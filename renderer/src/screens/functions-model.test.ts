import { describe, expect, it } from 'vitest';
import { functionNameFor, limitsOf, networkOf } from './functions-model';

const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,62}$/; // the gateway's rule

describe('functionNameFor', () => {
  it('takes the file name without .wasm, in lowercase', () => {
    expect(functionNameFor('hello.wasm')).toBe('hello');
    expect(functionNameFor('price-with-tax.wasm')).toBe('price-with-tax');
    expect(functionNameFor('WhoAmI.WASM')).toBe('whoami');
  });

  it('turns each run of other characters into one hyphen', () => {
    expect(functionNameFor('Price_With Tax (2).wasm')).toBe('price-with-tax-2');
    expect(functionNameFor('http.status.wasm')).toBe('http-status');
  });

  it('starts with a letter and keeps to 63 characters, as the gateway requires', () => {
    expect(functionNameFor('2048-game.wasm')).toBe('game');
    expect(functionNameFor(`${'a'.repeat(80)}.wasm`)).toBe('a'.repeat(63));
    for (const file of ['2048-game.wasm', '-x-.wasm', `${'b-'.repeat(40)}.wasm`, 'Ünïcode.wasm'])
      expect(functionNameFor(file)).toMatch(FUNCTION_NAME);
  });

  it('is empty when nothing usable is left, so the user types one', () => {
    expect(functionNameFor('1234.wasm')).toBe('');
    expect(functionNameFor('.wasm')).toBe('');
  });
});

describe('limitsOf and networkOf', () => {
  it("show the manifest's limits, or the gateway's defaults", () => {
    expect(limitsOf({})).toBe('1000 ms · 16 MiB');
    expect(limitsOf({ timeout_ms: 250, memory_mb: 4 })).toBe('250 ms · 4 MiB');
  });

  it('list the hosts a function may reach, or none', () => {
    expect(networkOf({})).toBe('none');
    expect(networkOf({ allowed_hosts: [] })).toBe('none');
    expect(networkOf({ allowed_hosts: ['api.example.com', '127.0.0.1:8080'] })).toBe('api.example.com, 127.0.0.1:8080');
  });
});
