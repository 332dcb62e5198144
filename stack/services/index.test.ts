import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, PORT_OWNERS, portMap } from '../ports.js';
import { SERVICE_NAMES } from '../service-identity.js';
import { portOwners } from '../stack.js';
import { APPLIANCE_BUDGET_MB, MEMORY_BUDGET_MB, SERVICES } from './index.js';

describe('the service files', () => {
  it('are the services the dashboard knows, in the same order', () => {
    expect(SERVICES.map((s) => s.name)).toEqual([...SERVICE_NAMES]);
  });

  it('give each its share of 1 GB and leave the appliance the rest of 1 GB', () => {
    expect(MEMORY_BUDGET_MB).toEqual({
      total: 1024,
      postgres: 192,
      postgrest: 50,
      kratos: 70,
      temporal: 150,
      minio: 160,
    });
    expect(APPLIANCE_BUDGET_MB).toBe(1024 - 192 - 50 - 70 - 150 - 160);
  });

  it('make the POC port map, every port with an owner, in a fixed order for a port base', () => {
    expect(DEFAULT_PORTS).toEqual({
      gateway: 8080,
      postgres: 5432,
      postgrest: 3000,
      postgrestAdmin: 3001,
      kratosPublic: 4433,
      kratosAdmin: 4434,
      temporal: 7233,
      temporalUi: 8233,
      minio: 9000,
      minioConsole: 9001,
      mail: 1025,
    });
    expect(Object.keys(PORT_OWNERS)).toEqual(Object.keys(DEFAULT_PORTS));
    expect(portOwners(portMap(20000))).toContainEqual([20005, 'kratos admin API']);
    // The mail catcher came last, so every earlier port of a base stayed where it was.
    expect(portOwners(portMap(20000))).toContainEqual([20010, 'mail catcher (SMTP)']);
  });

  it('declare each secret once, and an official image at a pinned tag with its executable', () => {
    const secrets = SERVICES.flatMap((s) => Object.keys(s.secrets));
    expect(new Set(secrets).size).toBe(secrets.length);
    for (const s of SERVICES) {
      expect(s.image.image, s.name).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/);
      expect(s.image.image, s.name).not.toMatch(/:latest$/);
      expect(s.image.executable, s.name).toMatch(/^\//);
    }
  });
});
