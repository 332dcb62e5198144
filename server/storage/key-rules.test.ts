import { describe, expect, it } from 'vitest';
import { keyProblem } from './key-rules.js';

describe('keyProblem', () => {
  it('takes slash-separated names', () => {
    for (const key of [
      'notes.txt',
      'reports/2026/q1.csv',
      'a/b/c/d.e.f',
      '...',
      'dir/.hidden',
      'späť/ключ.txt',
      'x'.repeat(512),
    ])
      expect(keyProblem(key)).toBeUndefined();
  });

  it('refuses an empty key', () => {
    expect(keyProblem('')).toBe('the key is empty');
  });

  it('counts the 512-byte limit in UTF-8 bytes, not characters', () => {
    expect(keyProblem('x'.repeat(513))).toBe('the key is longer than 512 bytes');
    expect(keyProblem('é'.repeat(256))).toBeUndefined();
    expect(keyProblem('é'.repeat(257))).toBe('the key is longer than 512 bytes');
  });

  it('refuses control characters and the backslash', () => {
    for (const key of ['a\nb', 'tab\there', 'nul\u0000', 'del\u007f', 'windows\\path'])
      expect(keyProblem(key)).toBe('the key contains a control character or a backslash');
  });

  it('refuses empty segments: a leading, trailing or double slash', () => {
    for (const key of ['/abs', 'dir/', 'a//b', '/'])
      expect(keyProblem(key)).toBe('the key has an empty segment (a leading, trailing or double slash)');
  });

  it('refuses "." and ".." segments', () => {
    for (const key of ['.', '..', 'a/./b', '../etc/passwd', 'a/..'])
      expect(keyProblem(key)).toBe('the key has a "." or ".." segment');
  });
});
