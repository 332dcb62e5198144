import { describe, expect, it } from 'vitest';
import { PolicyTextError } from '../api/policy-text.js';
import { parseProjectPolicies as parsePolicies } from './policies.js';

describe('policies.csv', () => {
  it('reads rules, comments and blank lines', () => {
    expect(
      parsePolicies('# who may do what\n\np, user, /data/*, GET\np, admin, /data/notes, get|post | DELETE # theirs\n'),
    ).toEqual([
      { role: 'user', path: '/data/*', methods: ['GET'] },
      { role: 'admin', path: '/data/notes', methods: ['GET', 'POST', 'DELETE'] },
    ]);
    expect(parsePolicies('# only comments\n')).toEqual([]);
  });

  it('refuses a bad line, naming the file and line', () => {
    const bad = (text: string) => () => parsePolicies(text);
    expect(bad('p, user, /data/*')).toThrow(PolicyTextError);
    expect(bad('\np, owner, /data/*, GET')).toThrow(/policies.csv:2: role "owner"/);
    expect(bad('p, user, /functions, GET')).toThrow(/path "\/functions" is neither/);
    expect(bad('p, user, /data/*, FETCH')).toThrow(/"FETCH" is not one of/);
  });
});
