import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Build of the renderer (React UI). The output in renderer/dist/ is served as is by the
 * browser-mode host and loaded from disk by Electron, hence the relative base. Two entries: index.html (Ostal)
 * and salle.html (the guest meeting page the meeting server serves at /salle/<roomId>, its files at
 * /salle/assets/), sharing their chunks.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Keep every asset as a file: the page's CSP forbids inline data for scripts and styles.
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        salle: fileURLToPath(new URL('./salle.html', import.meta.url)),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    strictPort: false,
  },
});
