/** Vite's `?url` imports: the URL of a file of the build (PDF.js's worker). */
declare module '*?url' {
  const url: string;
  export default url;
}
