import { describe, expect, it } from 'vitest';
import { checkImageOverrides, ImageNameError, imageNameProblem } from './image-source.js';

describe('image names', () => {
  it('accepts what the engine accepts', () => {
    for (const name of [
      'postgres',
      'postgres:15.18-bookworm',
      'postgrest/postgrest:v12.0.2',
      'minio/minio:RELEASE.2025-09-07T16-13-09Z',
      'localhost:5000/team/kratos:dev',
      'registry.example.com/a/b_c__d-e:1',
      `alpine@sha256:${'a'.repeat(64)}`,
    ]) {
      expect(imageNameProblem(name), name).toBeUndefined();
    }
  });

  it('refuses upper-case names, empty parts, bad tags and digests, naming the rule', () => {
    for (const name of [
      'Postgres',
      'postgres::15',
      'a//b',
      '-a',
      'a:',
      'a:-tag',
      'a@sha256:short',
      'a b',
      'x'.repeat(256),
    ]) {
      expect(imageNameProblem(name), name).toBeDefined();
    }
    expect(() => checkImageOverrides({ kratos: 'Kratos:1' })).toThrow(ImageNameError);
    expect(() => checkImageOverrides({ kratos: 'Kratos:1' })).toThrow(
      /kratos \("Kratos:1"\) is not an image reference/,
    );
    expect(() => checkImageOverrides({ kratos: '', minio: 'minio/minio:x' })).not.toThrow();
  });
});
