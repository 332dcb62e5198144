import { Type } from 'typebox';

/** A built example function of apprun (wasm/examples → wasm/build), ready to deploy from the dashboard. */
export const ExampleViewSchema = Type.Object({
  name: Type.String(),
  /** Its source's first comment: what it does and what input it takes. */
  description: Type.String(),
  sizeBytes: Type.Integer(),
});
export const ExamplesViewSchema = Type.Object({ examples: Type.Array(ExampleViewSchema) });
export const ExampleParamsSchema = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }) });
