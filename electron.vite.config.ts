import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// main/ and preload/ are bundled for Electron as CommonJS (.cjs: the package is "type": "module", and a sandboxed
// preload cannot be an ES module); renderer/ is the React dashboard, loaded by Electron from file:// and served by the
// gateway at /ui in web mode (relative asset paths work for both).
const cjs = (dir: string, entry: string) => ({
  build: {
    outDir: `out/${dir}`,
    lib: { entry: resolve(__dirname, entry), formats: ['cjs' as const] },
    rollupOptions: { output: { format: 'cjs' as const, entryFileNames: '[name].cjs' } },
  },
});

export default defineConfig({
  main: cjs('main', 'main/index.ts'),
  preload: cjs('preload', 'preload/index.ts'),
  renderer: {
    root: 'renderer',
    base: './',
    build: { outDir: 'out/renderer', rollupOptions: { input: resolve(__dirname, 'renderer/index.html') } },
    plugins: [react()],
  },
});
