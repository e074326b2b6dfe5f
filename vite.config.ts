import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The workbench is a static app under src/web, built to web-dist/ and served by `interlock serve`.
// It imports the engine straight from src/ (no Node imports there), so sliders run in the page.
export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  base: '/',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./web-dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:4321' },
  },
});
