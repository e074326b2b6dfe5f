/** Vite's `?raw` imports: the file's text, bundled. */
declare module '*.md?raw' {
  const text: string;
  export default text;
}
