import { describe, expect, it } from 'vitest';
import { LineMap, advance, parseXml, textOf, type XmlElement, type XmlNode } from './xml.js';

function ok(text: string): XmlElement {
  const r = parseXml(text, { file: 'doc.xml' });
  expect(r.diagnostics).toEqual([]);
  expect(r.root).toBeDefined();
  return r.root!;
}

function failure(text: string): { code: string; line?: number; column?: number; message: string } {
  const r = parseXml(text, { file: 'doc.xml' });
  expect(r.root).toBeUndefined();
  expect(r.diagnostics).toHaveLength(1);
  const d = r.diagnostics[0]!;
  expect(d.severity).toBe('error');
  expect(d.file).toBe('doc.xml');
  return { code: d.code, line: d.line, column: d.column, message: d.message };
}

function elementsOf(el: XmlElement): XmlElement[] {
  return el.children.filter((c: XmlNode): c is XmlElement => c.kind === 'element');
}

describe('parseXml: well-formed documents', () => {
  it('keeps names as written, attributes with both quotes and their positions', () => {
    const root = ok(`<?xml version="1.0" encoding="UTF-8"?>\n<a x="1" isee:y='two'>\n  <isee:prefs/>\n</a>`);
    expect(root.name).toBe('a');
    expect(root).toMatchObject({ line: 2, column: 1 });
    expect(root.attributes.map((a) => [a.name, a.value, a.line, a.column, a.valueColumn])).toEqual([
      ['x', '1', 2, 4, 7],
      ['isee:y', 'two', 2, 10, 18],
    ]);
    const [prefs] = elementsOf(root);
    expect(prefs).toMatchObject({ name: 'isee:prefs', line: 3, column: 3 });
  });

  it('decodes the five predefined entities and numeric references in text and attributes', () => {
    const root = ok(`<a v="&lt;&gt;&amp;&apos;&quot;&#65;&#x42;">x &gt; 1 &amp;&amp; &#x3b1;&#946;</a>`);
    expect(root.attributes[0]!.value).toBe(`<>&'"AB`);
    expect(textOf(root)).toBe('x > 1 && αβ');
  });

  it('keeps CDATA literally and skips comments and processing instructions', () => {
    const root = ok(`<a><!-- c < & --><?pi some data?><![CDATA[x < 1 && <b>]]>tail</a>`);
    expect(root.children).toHaveLength(2);
    expect(root.children[0]).toMatchObject({
      kind: 'text',
      cdata: true,
      text: 'x < 1 && <b>',
      line: 1,
      column: 43,
    });
    expect(textOf(root)).toBe('x < 1 && <b>tail');
  });

  it('counts lines the same way for LF, CRLF and CR-only line endings and normalises text to LF', () => {
    for (const nl of ['\n', '\r\n', '\r']) {
      const root = ok(`<a>${nl}<b>one${nl}two</b>${nl}  <c/></a>`);
      const [b, c] = elementsOf(root);
      expect(b).toMatchObject({ line: 2, column: 1 });
      expect(textOf(b!)).toBe('one\ntwo');
      expect(c).toMatchObject({ line: 4, column: 3 });
    }
  });

  it('normalises literal tabs and newlines in attribute values to spaces (XML 3.3.3)', () => {
    const root = ok(`<a v="x\ty\r\nz" w="&#10;"/>`);
    expect(root.attributes[0]!.value).toBe('x y z');
    expect(root.attributes[1]!.value).toBe('\n');
  });

  it('ignores a UTF-8 byte order mark, keeping columns as an editor shows them', () => {
    const root = ok(`\uFEFF<a><b/></a>`);
    expect(root).toMatchObject({ line: 1, column: 1 });
    expect(elementsOf(root)[0]).toMatchObject({ line: 1, column: 4 });
  });

  it('accepts a DOCTYPE without entity declarations', () => {
    const root = ok(`<!DOCTYPE a SYSTEM "a.dtd" [ <!ELEMENT a ANY> <!-- ok --> ]>\n<a/>`);
    expect(root.name).toBe('a');
  });

  it('accepts whitespace, comments and PIs after the root', () => {
    ok(`<a/>\n<!-- end -->\n<?done?>\n`);
  });

  it('accepts nesting up to the depth limit', () => {
    const depth = 1000;
    const root = ok('<a>'.repeat(depth) + '</a>'.repeat(depth));
    let d = 1;
    let el = root;
    while (el.children.length > 0) {
      el = el.children[0] as XmlElement;
      d++;
    }
    expect(d).toBe(depth);
  });
});

describe('parseXml: errors with line and column', () => {
  it.each([
    ['empty input', '', 1, 1],
    ['only blanks', '  \n ', 1, 1],
    ['mismatched closing tag', '<a>\n  <b></c>\n</a>', 2, 6],
    ['unclosed element at end of input', '<a>\n<b>', 2, 4],
    ['closing tag without opening', '<a/></b>', 1, 5],
    ['junk after the root', '<a/>\nxyz', 2, 1],
    ['second root element', '<a/><b/>', 1, 5],
    ['text before the root', 'hello <a/>', 1, 1],
    ['unquoted attribute', '<a x=1/>', 1, 6],
    ['attribute without value', '<a x/>', 1, 5],
    ['duplicate attribute', '<a x="1" x="2"/>', 1, 10],
    ['missing space between attributes', '<a x="1"y="2"/>', 1, 9],
    ['< inside an attribute value', '<a x="<"/>', 1, 7],
    ['unterminated attribute value', '<a x="1/>', 1, 6],
    ['bare ampersand', '<a>fish & chips</a>', 1, 9],
    ['invalid character reference', '<a>&#0;</a>', 1, 4],
    ['non-hex digits in a hex reference', '<a>&#xZZ;</a>', 1, 4],
    ['control character', '<a>\u0001</a>', 1, 4],
    ['unclosed comment', '<a><!-- oops</a>', 1, 4],
    ['unclosed CDATA', '<a><![CDATA[x</a>', 1, 4],
    [']]> in text', '<a>x ]]> y</a>', 1, 6],
    ['XML declaration not at the start', '<a/>\n<?xml version="1.0"?>', 2, 1],
    ['bad element name', '<1a/>', 1, 2],
    ['CDATA before the root', '<![CDATA[x]]><a/>', 1, 1],
    ['closing tag first', '\n</a>', 2, 1],
    ['unpaired surrogate in a name', '<a\uD800b/>', 1, 3],
    ['U+FFFE in a name', '<a\uFFFE/>', 1, 3],
  ])('%s', (_what, text, line, column) => {
    const f = failure(text);
    expect(f.code).toBe('xml-malformed');
    expect([f.line, f.column]).toEqual([line, column]);
  });

  it('finds a duplicate attribute among many (the set path) at its column', () => {
    const attrs = Array.from({ length: 40 }, (_, i) => ` a${i}="1"`).join('');
    const f = failure(`<a${attrs} a7="2"/>`);
    expect(f).toMatchObject({ code: 'xml-malformed', line: 1, column: 2 + attrs.length + 2 });
    expect(f.message).toMatch(/duplicate attribute 'a7'/);
    expect(ok(`<a${attrs}/>`).attributes).toHaveLength(40);
  });

  it('names the opening tag when the closing tag does not match', () => {
    expect(failure('<a>\n  <b></c>\n</a>').message).toMatch(/<\/c>.*<b>.*line 2, column 3/);
  });

  it('refuses to go deeper than the depth limit without overflowing the stack', () => {
    const f = failure('<a>'.repeat(100_000) + '</a>'.repeat(100_000));
    expect(f.code).toBe('xml-malformed');
    expect(f.message).toMatch(/deeper than 1000/);
    expect(f.line).toBe(1);
    expect(f.column).toBe(1000 * 3 + 1);
  });

  it('refuses entity declarations in a DOCTYPE ("billion laughs") without expanding anything', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
      ']>',
      '<lolz>&lol9;</lolz>',
    ].join('\n');
    const f = failure(lol);
    expect(f).toMatchObject({ code: 'xml-entity', line: 3, column: 2 });
  });

  it('reports a reference to an undefined entity at the ampersand', () => {
    expect(failure('<a>\n  x &nbsp; y</a>')).toMatchObject({ code: 'xml-entity', line: 2, column: 5 });
    expect(failure('<a v="&foo;"/>')).toMatchObject({ code: 'xml-entity', line: 1, column: 7 });
  });
});

describe('LineMap and advance', () => {
  it('maps offsets to lines and columns for mixed line endings', () => {
    const map = new LineMap('ab\ncd\r\nef\rgh');
    expect(map.position(0)).toEqual({ line: 1, column: 1 });
    expect(map.position(4)).toEqual({ line: 2, column: 2 });
    expect(map.position(7)).toEqual({ line: 3, column: 1 });
    expect(map.position(10)).toEqual({ line: 4, column: 1 });
  });

  it('advances a position through decoded text', () => {
    expect(advance({ line: 3, column: 5 }, 'ab\ncd', 4)).toEqual({ line: 4, column: 2 });
    expect(advance({ line: 3, column: 5 }, 'abc', 2)).toEqual({ line: 3, column: 7 });
  });
});
