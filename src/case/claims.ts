/**
 * The case's claims table (docs/claims.md) as data: one section per claim id, so every claim id
 * the pages, reports and CLI show can link to its text. Pure: the caller reads the file (the
 * browser bundles it as text). The Markdown is the one source; nothing here restates a claim.
 */

export interface Claim {
  /** "C7" */
  id: string;
  /** The bold first sentence of the section. */
  title: string;
  /** The section's Markdown below the heading, trimmed. */
  body: string;
}

/** Where the claims table lives in the repository. */
export const CLAIMS_DOC = 'docs/claims.md';

/** The claim ids in a text ("C7", "C11"), in order of first appearance. */
export function claimIds(text: string | undefined): string[] {
  return [...new Set((text ?? '').match(/\bC\d{1,2}\b/g) ?? [])];
}

/** The fragment of a claim's section: heading "## C7" becomes "#c7". */
export function claimAnchor(id: string): string {
  return `#${id.toLowerCase()}`;
}

/** The link to a claim's section, relative to the repository root (reports, CLI). */
export function claimHref(id: string, docPath = CLAIMS_DOC): string {
  return `${docPath}${claimAnchor(id)}`;
}

/** The sections "## C<n>" of docs/claims.md, in file order. */
export function parseClaims(markdown: string): Claim[] {
  const claims: Claim[] = [];
  const parts = markdown.split(/^## /m).slice(1);
  for (const part of parts) {
    const nl = part.indexOf('\n');
    const heading = (nl < 0 ? part : part.slice(0, nl)).trim();
    if (!/^C\d{1,2}$/.test(heading)) continue;
    const body = (nl < 0 ? '' : part.slice(nl + 1)).trim();
    const m = /^\*\*(.+?)\*\*/s.exec(body);
    claims.push({ id: heading, title: (m?.[1] ?? '').replace(/\s+/g, ' '), body });
  }
  return claims;
}
