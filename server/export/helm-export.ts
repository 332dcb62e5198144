export async function writeChart(_o: unknown): Promise<{ files: string[]; versions: never }> {
  throw new Error('not yet');
}
