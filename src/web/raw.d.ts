/** Vite's `?raw` imports: the file's text, bundled. */
declare module '*.md?raw' {
  const text: string;
  export default text;
}
/** Vite's `?url` imports: the asset's address in the build. */
declare module '*?url' {
  const url: string;
  export default url;
}
