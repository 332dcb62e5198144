import { describe, expect, it } from 'vitest';
import { budgetLevel, fileSize, mb, pct, uptime } from './format';

const MiB = 2 ** 20;

describe('mb', () => {
  it('shows memory in MB of 2^20 bytes, one decimal', () => {
    expect(mb(0)).toBe('0.0 MB');
    expect(mb(590 * MiB)).toBe('590.0 MB');
    expect(mb(1.25 * MiB)).toBe('1.3 MB');
    expect(mb(2 ** 30)).toBe('1024.0 MB');
  });

  it('shows a dash before the first sample', () => {
    expect(mb(undefined)).toBe('—');
  });
});

describe('fileSize', () => {
  it('uses bytes under 1 KiB, KiB under 1 MiB, MiB above', () => {
    expect(fileSize(0)).toBe('0 B');
    expect(fileSize(1023)).toBe('1023 B');
    expect(fileSize(1024)).toBe('1.0 KiB');
    expect(fileSize(1536)).toBe('1.5 KiB');
    expect(fileSize(MiB)).toBe('1.0 MiB');
    expect(fileSize(10 * MiB)).toBe('10.0 MiB');
  });
});

describe('pct', () => {
  it('shows a percentage with one decimal, or a dash when unknown', () => {
    expect(pct(0)).toBe('0.0 %');
    expect(pct(12.345)).toBe('12.3 %');
    expect(pct(250)).toBe('250.0 %');
    expect(pct(undefined)).toBe('—');
  });
});

describe('uptime', () => {
  const now = 1_750_000_000_000;
  it('counts seconds, then minutes and seconds, then hours and minutes', () => {
    expect(uptime(now - 5_000, now)).toBe('5 s');
    expect(uptime(now - 59_000, now)).toBe('59 s');
    expect(uptime(now - 60_000, now)).toBe('1 min 0 s');
    expect(uptime(now - (12 * 60 + 7) * 1000, now)).toBe('12 min 7 s');
    expect(uptime(now - 3600_000, now)).toBe('1 h 0 min');
    expect(uptime(now - (26 * 3600 + 5 * 60 + 59) * 1000, now)).toBe('26 h 5 min');
  });

  it('rounds to the nearest second', () => {
    expect(uptime(now - 1_499, now)).toBe('1 s');
    expect(uptime(now - 59_600, now)).toBe('1 min 0 s');
  });

  it('never goes negative when the clocks disagree, and shows a dash when not started', () => {
    expect(uptime(now + 3_000, now)).toBe('0 s');
    expect(uptime(undefined, now)).toBe('—');
    expect(uptime(0, now)).toBe('—');
  });
});

describe('budgetLevel', () => {
  const budget = 1024 * MiB;
  it('is ok under 80 % of the budget, warn from 80 % up to the budget, over beyond it', () => {
    expect(budgetLevel(0, budget)).toBe('ok');
    expect(budgetLevel(590 * MiB, budget)).toBe('ok');
    expect(budgetLevel(0.8 * budget - 1, budget)).toBe('ok');
    expect(budgetLevel(0.8 * budget, budget)).toBe('warn');
    expect(budgetLevel(budget, budget)).toBe('warn');
    expect(budgetLevel(budget + 1, budget)).toBe('over');
  });
});
