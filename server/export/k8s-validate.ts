// Offline validation of rendered Kubernetes objects against the API schemas npm packages ship: kubernetes-models (the
// core and apps APIs) and @kubernetes-models/cloudnative-pg (CloudNativePG's Cluster). Tests only (dev dependencies).

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: a rendered manifest is read field by field by the assertions
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: idem
  [key: string]: any;
}

/** The module of a kind's model: core v1 at the root, groups by name, CloudNativePG's in its own package. */
function modelModule(apiVersion: string, kind: string): string {
  if (apiVersion.startsWith('postgresql.cnpg.io/')) return `@kubernetes-models/cloudnative-pg/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Throws naming the object and the schema's complaint; a kind no package knows is an error too. */
export async function validateObject(object: RenderedObject): Promise<void> {
  const where = `${object.kind} ${object.metadata?.name}`;
  let Model: new (data: unknown) => { validate(): void };
  try {
    const module = (await import(modelModule(object.apiVersion, object.kind))) as Record<string, typeof Model>;
    Model = module[object.kind]!;
  } catch {
    throw new Error(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
  }
  try {
    new Model(object).validate();
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}
