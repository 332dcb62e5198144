import { describe, expect, it } from 'vitest';
import { dataUrl } from './data-path.js';

const GATEWAY = 'http://127.0.0.1:8080';

describe("read_data's path", () => {
  it('reads a table or view under /data, with its query', () => {
    expect(dataUrl(GATEWAY, '/products?select=name&order=name')).toEqual({
      url: 'http://127.0.0.1:8080/data/products?select=name&order=name',
    });
  });

  it('never leaves /data of the gateway', () => {
    for (const path of [
      '/../api/stack',
      '/..%2fapi/stack',
      '/%2e%2e/api/stack',
      '/./products',
      'products',
      '//evil.example/x',
      'http://evil.example/data/x',
      '/http://evil.example/',
      '/products\\..\\x',
      '/products\n',
      '/%zz',
    ])
      expect(dataUrl(GATEWAY, path), path).toHaveProperty('refused');
  });
});
