import { describe, expect, it } from 'vitest';
import { acceptsFile, fileRefusal } from './file-accept';

const WASM = '.wasm,application/wasm';
const file = (name: string, type = '', size = 100) => ({ name, type, size });

describe('acceptsFile', () => {
  it('takes anything when there is no accept list', () => {
    expect(acceptsFile(file('notes.txt', 'text/plain'), undefined)).toBe(true);
    expect(acceptsFile(file('notes.txt', 'text/plain'), '')).toBe(true);
  });

  it('matches an extension whatever its case, and an exact MIME type', () => {
    expect(acceptsFile(file('hello.wasm'), WASM)).toBe(true);
    expect(acceptsFile(file('HELLO.WASM'), WASM)).toBe(true);
    expect(acceptsFile(file('module', 'application/wasm'), WASM)).toBe(true);
    expect(acceptsFile(file('hello.wasm.txt', 'text/plain'), WASM)).toBe(false);
    expect(acceptsFile(file('wasm', 'application/octet-stream'), WASM)).toBe(false);
  });

  it('matches a type/* wildcard on the MIME type only', () => {
    expect(acceptsFile(file('photo.png', 'image/png'), 'image/*')).toBe(true);
    expect(acceptsFile(file('image.txt', 'text/plain'), 'image/*')).toBe(false);
  });
});

describe('fileRefusal', () => {
  it('names the file and what was expected', () => {
    expect(fileRefusal(file('notes.txt', 'text/plain'), WASM)).toBe(
      'notes.txt is not a .wasm or application/wasm file',
    );
  });

  it('refuses a file over the limit with both sizes, and takes one at the limit', () => {
    const limit = 10 * 2 ** 20;
    expect(fileRefusal(file('big.bin', '', limit + 1), undefined, limit)).toBe('big.bin is 10.0 MiB: at most 10.0 MiB');
    expect(fileRefusal(file('video.bin', '', 25 * 2 ** 20), undefined, limit)).toBe(
      'video.bin is 25.0 MiB: at most 10.0 MiB',
    );
    expect(fileRefusal(file('exact.bin', '', limit), undefined, limit)).toBeUndefined();
  });

  it('takes a matching file of any size when there is no limit', () => {
    expect(fileRefusal(file('hello.wasm', 'application/wasm', 2 ** 30), WASM)).toBeUndefined();
  });
});
