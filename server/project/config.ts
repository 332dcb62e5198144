// The project's config file, apprun/config.toml: its name, its dev tenants and users, the origins its browser apps
// run on, and its ports. Parsed with smol-toml, checked against a TypeBox schema; a mistake names the file, the field
// and what is expected.
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });

const TenantSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    plan: Type.Optional(Type.Enum(['free', 'pro'], { default: 'free' })),
    /** Fixed, so tests and seeds can name it; a new one is made from the name when left out. */
    id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const UserSchema = Type.Object(
  {
    email: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 254 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** A tenant's name (or id) from [[tenants]]. */
    tenant: Type.String({ minLength: 1 }),
    role: Type.Enum(['admin', 'user']),
    id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const ProjectConfigSchema = Type.Object(
  {
    project: Type.Object(
      { name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }) },
      { additionalProperties: false },
    ),
    ports: Type.Optional(
      Type.Object(
        { base: Type.Optional(Type.Integer({ minimum: 1024, maximum: 65000 })) },
        { additionalProperties: false },
      ),
    ),
    api: Type.Optional(
      Type.Object(
        {
          /** Origins of the project's browser apps besides loopback ones (any loopback port is allowed already). */
          cors_origins: Type.Optional(Type.Array(Type.String({ pattern: '^https?://[^/?#\\s]+$' }), { maxItems: 16 })),
        },
        { additionalProperties: false },
      ),
    ),
    tenants: Type.Array(TenantSchema, { minItems: 1, maxItems: 100 }),
    users: Type.Optional(Type.Array(UserSchema, { maxItems: 200 })),
  },
  { additionalProperties: false },
);

export type ProjectConfig = Static<typeof ProjectConfigSchema>;
export type ConfigTenant = Static<typeof TenantSchema>;
export type ConfigUser = Static<typeof UserSchema>;

export class ProjectConfigError extends Error {}

/** Reads and checks apprun/config.toml; every mistake is a ProjectConfigError naming the file and the field. */
export function loadProjectConfig(file: string): ProjectConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProjectConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseProjectConfig(text, file);
}

export function parseProjectConfig(text: string, file: string): ProjectConfig {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    throw new ProjectConfigError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const withDefaults = Value.Default(ProjectConfigSchema, Value.Clone(raw));
  const errors = Value.Errors(ProjectConfigSchema, withDefaults);
  // An unknown field is reported as such (its own error only says "schema is false").
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  const first = unknown ?? errors[0];
  if (first) {
    const where = first.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'the top level';
    const fields = (first.params as { additionalProperties?: string[] }).additionalProperties;
    const what = unknown && fields ? `unknown field ${fields.map((f) => `"${f}"`).join(', ')}` : first.message;
    throw new ProjectConfigError(`${file}: ${where}: ${what}`);
  }
  const config = withDefaults as ProjectConfig;
  checkReferences(config, file);
  return config;
}

function checkReferences(config: ProjectConfig, file: string): void {
  const names = new Set<string>();
  for (const t of config.tenants) {
    const key = t.name.toLowerCase();
    if (names.has(key)) throw new ProjectConfigError(`${file}: tenants: "${t.name}" is listed twice`);
    names.add(key);
  }
  const emails = new Set<string>();
  for (const u of config.users ?? []) {
    if (!tenantOf(config, u.tenant))
      throw new ProjectConfigError(
        `${file}: users: ${u.email} names tenant "${u.tenant}", which [[tenants]] does not list ` +
          `(${config.tenants.map((t) => `"${t.name}"`).join(', ')})`,
      );
    const key = u.email.toLowerCase();
    if (emails.has(key)) throw new ProjectConfigError(`${file}: users: ${u.email} is listed twice`);
    emails.add(key);
  }
}

/** The tenant a user's `tenant` names, by name (any case) or id. */
export function tenantOf(config: ProjectConfig, ref: string): ConfigTenant | undefined {
  const lower = ref.toLowerCase();
  return config.tenants.find((t) => t.name.toLowerCase() === lower || t.id?.toLowerCase() === lower);
}
