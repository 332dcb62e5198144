import fs from 'node:fs/promises';
import path from 'node:path';
import type { Static } from 'typebox';
import type { ExampleViewSchema } from '../api/schemas/examples.js';
import { DomainError } from '../errors.js';

export type ExampleView = Static<typeof ExampleViewSchema>;

/** apprun's example functions: their sources in wasm/examples, their modules in wasm/build (npm run build:wasm). */
export class ExampleFunctions {
  constructor(private readonly wasmDir: string) {}

  async list(): Promise<ExampleView[]> {
    const sources = (await fs.readdir(path.join(this.wasmDir, 'examples')).catch(() => [])).filter((f) =>
      f.endsWith('.ts'),
    );
    const examples = await Promise.all(
      sources.map(async (file) => {
        const name = file.slice(0, -3);
        const size = (await fs.stat(this.modulePath(name)).catch(() => undefined))?.size;
        if (size === undefined) return undefined;
        const source = await fs.readFile(path.join(this.wasmDir, 'examples', file), 'utf8');
        return { name, description: leadingComment(source, name), sizeBytes: size };
      }),
    );
    return examples.filter((e): e is ExampleView => e !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** An example's built module: one with a source in wasm/examples (the fixtures beside them are not examples). */
  async module(name: string): Promise<Buffer> {
    const source = await fs.stat(path.join(this.wasmDir, 'examples', `${name}.ts`)).catch(() => undefined);
    const built = source && (await fs.readFile(this.modulePath(name)).catch(() => undefined));
    if (!built) throw new DomainError('not_found', 'unknown_example', `no example function "${name}"`);
    return built;
  }

  private modulePath(name: string): string {
    return path.join(this.wasmDir, 'build', `${name}.wasm`);
  }
}

/** The source's first comment lines, without the slashes and without the repeated name ("hello: returns …"). */
function leadingComment(source: string, name: string): string {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    if (!line.startsWith('//')) break;
    lines.push(line.replace(/^\/\/\s?/, ''));
  }
  return lines
    .join(' ')
    .replace(new RegExp(`^${name}:\\s*`), '')
    .trim();
}
