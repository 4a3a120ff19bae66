/** Vite's `?raw` imports: the file's text (the accessibility statement shown in Réglages). */
declare module '*.md?raw' {
  const text: string;
  export default text;
}
