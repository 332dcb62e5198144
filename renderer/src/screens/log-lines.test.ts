import { describe, expect, it } from 'vitest';
import { logLevel, matchingLines } from './log-lines';

describe('logLevel', () => {
  it("marks the supervisor's own lines first, whatever they say", () => {
    expect(logLevel('[apprun 10:00:01] postgres exited: failed health check')).toBe('apprun');
  });

  it('marks errors, fatals, panics and failures as errors, in any case', () => {
    expect(logLevel('2026-01-01 10:00:00 UTC [42] ERROR:  relation "x" does not exist')).toBe('error');
    expect(logLevel('FATAL:  password authentication failed')).toBe('error');
    expect(logLevel('panic: runtime error')).toBe('error');
    expect(logLevel('time=… level=info msg="health check failed"')).toBe('error');
  });

  it('marks warnings, and takes whole words only', () => {
    expect(logLevel('WARNING:  could not flush dirty data')).toBe('warn');
    expect(logLevel('level=warn msg="slow query"')).toBe('warn');
    expect(logLevel('errors_total=0 warnings_total=0')).toBeUndefined();
    expect(logLevel('listening on 127.0.0.1:5432')).toBeUndefined();
  });
});

describe('matchingLines', () => {
  const lines = ['LOG:  database system is ready', 'ERROR:  syntax error at "SELEC"', 'LOG:  checkpoint starting'];

  it('keeps the lines containing the filter, whatever its case', () => {
    expect(matchingLines(lines, 'log:')).toEqual([lines[0], lines[2]]);
    expect(matchingLines(lines, 'SELEC')).toEqual([lines[1]]);
    expect(matchingLines(lines, 'nothing like it')).toEqual([]);
  });

  it('keeps every line for an empty or blank filter', () => {
    expect(matchingLines(lines, '')).toEqual(lines);
    expect(matchingLines(lines, '   ')).toEqual(lines);
  });
});

describe('matchingLines by level', () => {
  const lines = ['LOG:  ready', 'WARNING:  slow', 'ERROR:  broken', '[apprun 10:00:01] postgres restarted'];
  it('keeps warnings and errors, or errors only, and always the supervisor’s lines', () => {
    expect(matchingLines(lines, '', 'warn')).toEqual([lines[1], lines[2], lines[3]]);
    expect(matchingLines(lines, '', 'error')).toEqual([lines[2], lines[3]]);
    expect(matchingLines(lines, 'broken', 'error')).toEqual([lines[2]]);
  });
});
