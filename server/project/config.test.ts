import { describe, expect, it } from 'vitest';
import { ProjectConfigError, parseProjectConfig } from './config.js';

const BASE = `
[project]
name = "notes"

[[tenants]]
name = "Acme"

[[users]]
email = "ann@acme.test"
tenant = "acme"
role = "admin"
`;

const bad = (text: string) => {
  try {
    parseProjectConfig(text, 'apprun/config.toml');
  } catch (err) {
    expect(err).toBeInstanceOf(ProjectConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('apprun/config.toml', () => {
  it('reads a project with defaults filled in (a tenant is on the free plan)', () => {
    const config = parseProjectConfig(BASE, 'apprun/config.toml');
    expect(config.project.name).toBe('notes');
    expect(config.tenants).toEqual([{ name: 'Acme', plan: 'free' }]);
    expect(config.users![0]).toMatchObject({ email: 'ann@acme.test', tenant: 'acme', role: 'admin' });
  });

  it('names the file, the field and what is wrong', () => {
    expect(bad('[project\nname = 1')).toMatch(/^apprun\/config.toml: /);
    expect(bad(BASE.replace('name = "notes"', 'name = "Not A Name"'))).toMatch(/project\.name: must match pattern/);
    expect(bad(`colour = "blue"\n${BASE}`)).toMatch(/the top level: unknown field "colour"/);
    expect(bad(`${BASE}\ncolour = "blue"`)).toMatch(/users\.0: unknown field "colour"/);
    expect(bad(BASE.replace('role = "admin"', 'role = "owner"'))).toMatch(/users\.0\.role/);
    expect(bad(BASE.replace('tenant = "acme"', 'tenant = "Globex"'))).toMatch(
      /ann@acme.test names tenant "Globex", which \[\[tenants\]\] does not list \("Acme"\)/,
    );
    expect(bad(`${BASE}\n[[tenants]]\nname = "ACME"`)).toMatch(/tenants: "ACME" is listed twice/);
    expect(bad(BASE.replace(/\[\[tenants\]\]\nname = "Acme"\n/, ''))).toMatch(/tenants/);
    expect(bad(`${BASE}\n[api]\ncors_origins = ["localhost:5173"]`)).toMatch(/api\.cors_origins\.0/);
  });
});
