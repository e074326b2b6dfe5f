/**
 * XMILE identifier rules (spec 3.2.2): names are case-insensitive; underscore, space,
 * non-breaking space and newline are the same character and runs of them collapse; a quoted
 * name may hold any character, with `\"`, `\\` and `\n` escapes.
 */

/** Remove surrounding quotes and resolve escapes of a quoted identifier. */
export function unquote(name: string): string {
  const t = name.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    return t.slice(1, -1).replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
  }
  return t;
}

/** The canonical key of a name: unquoted, lower-cased, separator runs as one `_`. */
export function canonicalName(name: string): string {
  return unquote(name)
    .replace(/\\n/g, ' ')
    .replace(/[\s_\u00A0]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** How a name is shown to users: unquoted, `_` and separator runs shown as one space. */
export function displayName(name: string): string {
  return unquote(name)
    .replace(/\\n/g, ' ')
    .replace(/[\s_\u00A0]+/g, ' ')
    .trim();
}
