// Vite's import.meta.glob, the only Vite-specific API the renderer uses (help pages bundled as text).
interface ImportMeta {
  glob<T>(pattern: string, options: { query: '?raw'; import: 'default'; eager: true }): Record<string, T>;
}
