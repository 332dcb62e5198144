import { describe, expect, it, vi } from 'vitest';
import { createFakeElectron, FakeTray } from './test-support/fake-electron';
import { stackWith } from './test-support/stack-fixture';
import { overallOf, StatusTray, TRAY_COLOURS } from './tray';

describe('overallOf', () => {
  it('is down while there is no stack to look at (the core is starting or not answering)', () => {
    expect(overallOf(undefined)).toBe('down');
  });

  it('is healthy only when every service is', () => {
    expect(overallOf(stackWith(['healthy', 'healthy', 'healthy', 'healthy', 'healthy']))).toBe('healthy');
  });

  it('is degraded when some but not all services are healthy', () => {
    expect(overallOf(stackWith(['healthy', 'healthy', 'healthy', 'healthy', 'restarting']))).toBe('degraded');
    expect(overallOf(stackWith(['healthy', 'failed', 'stopped', 'starting', 'stopping']))).toBe('degraded');
  });

  it('is down when no service is healthy', () => {
    expect(overallOf(stackWith(['starting', 'starting', 'failed', 'stopped', 'restarting']))).toBe('down');
  });
});

describe('StatusTray', () => {
  it('starts as a red dot saying the core is starting', () => {
    const electron = createFakeElectron();
    new StatusTray(
      electron,
      () => undefined,
      () => undefined,
    );
    const [tray] = FakeTray.created;
    expect(tray?.image.centre()).toEqual(TRAY_COLOURS.down);
    expect(tray?.toolTip).toBe('apprun: down (starting…)');
  });

  it('shows the overall state and the healthy count in its dot, tooltip and menu', () => {
    const electron = createFakeElectron();
    const statusTray = new StatusTray(
      electron,
      () => undefined,
      () => undefined,
    );
    const tray = FakeTray.created[0]!;

    statusTray.update(stackWith(['healthy', 'healthy', 'healthy', 'failed', 'healthy']));
    expect(tray.image.centre()).toEqual(TRAY_COLOURS.degraded);
    expect(tray.toolTip).toBe('apprun: degraded (4/5 services healthy)');
    expect(tray.menu?.item('apprun — degraded')?.enabled).toBe(false);
    expect(tray.menu?.item('4/5 services healthy')).toBeDefined();

    statusTray.update(stackWith(['healthy', 'healthy', 'healthy', 'healthy', 'healthy']));
    expect(tray.image.centre()).toEqual(TRAY_COLOURS.healthy);
    expect(tray.toolTip).toBe('apprun: healthy (5/5 services healthy)');
  });

  it('opens the dashboard on a click and from its menu, and quits from its menu', () => {
    const electron = createFakeElectron();
    const open = vi.fn();
    const quit = vi.fn();
    new StatusTray(electron, open, quit);
    const tray = FakeTray.created[0]!;

    tray.emit('click');
    expect(open).toHaveBeenCalledTimes(1);
    tray.menu?.click('Open dashboard');
    expect(open).toHaveBeenCalledTimes(2);
    expect(quit).not.toHaveBeenCalled();
    tray.menu?.click('Quit apprun');
    expect(quit).toHaveBeenCalledTimes(1);
  });
});
