/**
 * A tiny reader of the report's own HTML (no DOM library in the workspace): enough to find
 * elements by tag, class and attribute, and to read what they say, as a person would see it.
 */
export interface Element {
  tag: string;
  attrs: Record<string, string>;
  children: (Element | string)[];
  parent?: Element;
}

const VOID = new Set(['meta', 'br', 'link', 'img', 'input', 'hr', '!doctype']);

const decode = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

export function parseHtml(html: string): Element {
  const root: Element = { tag: '#root', attrs: {}, children: [] };
  let current = root;
  const token = /<(\/?)([!a-zA-Z][\w-]*)((?:[^>"]|"[^"]*")*)>|([^<]+)/g;
  for (let match = token.exec(html); match; match = token.exec(html)) {
    const [, closing, rawTag, rest, text] = match;
    if (text !== undefined) {
      current.children.push(decode(text));
      continue;
    }
    const tag = rawTag.toLowerCase();
    if (closing) {
      let open: Element | undefined = current;
      while (open && open.tag !== tag) open = open.parent;
      if (!open?.parent) throw new Error(`Unbalanced </${tag}>`);
      current = open.parent;
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, name, value] of rest.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[name] = decode(value);
    const element: Element = { tag, attrs, children: [], parent: current };
    current.children.push(element);
    // <script> holds raw text up to its end tag.
    if (tag === 'script') {
      const end = html.indexOf('</script>', token.lastIndex);
      element.children.push(html.slice(token.lastIndex, end));
      token.lastIndex = end + '</script>'.length;
      continue;
    }
    if (!rest.trim().endsWith('/') && !VOID.has(tag)) current = element;
  }
  if (current !== root) throw new Error(`Unclosed <${current.tag}>`);
  return root;
}

/** Every element under `from` (depth first) that matches. */
export function all(from: Element, match: (element: Element) => boolean): Element[] {
  const found: Element[] = [];
  const visit = (element: Element) => {
    for (const child of element.children) {
      if (typeof child === 'string') continue;
      if (match(child)) found.push(child);
      visit(child);
    }
  };
  visit(from);
  return found;
}

/** `tag.class[attr=value]`-like matching: a tag name, then optional class and attributes. */
export const is =
  (tag: string, attrs: Record<string, string> = {}, className?: string) =>
  (element: Element) =>
    element.tag === tag &&
    Object.entries(attrs).every(([name, value]) => element.attrs[name] === value) &&
    (className === undefined || (element.attrs.class ?? '').split(/\s+/).includes(className));

export function one(from: Element, match: (element: Element) => boolean): Element {
  const found = all(from, match);
  if (found.length !== 1) throw new Error(`Expected one element, found ${found.length}`);
  return found[0];
}

/** The text content (entities decoded). */
export function text(element: Element): string {
  return element.children.map((child) => (typeof child === 'string' ? child : text(child))).join('');
}

/** The text of an element's direct string children and of its children except <title> (tooltips): what is drawn. */
export function drawnTexts(element: Element): string[] {
  const texts: string[] = [];
  const visit = (e: Element) => {
    for (const child of e.children) {
      if (typeof child === 'string') {
        if (child.trim() !== '') texts.push(child);
      } else if (child.tag !== 'title') visit(child);
    }
  };
  visit(element);
  return texts;
}

export const num = (element: Element, name: string) => Number(element.attrs[name]);
