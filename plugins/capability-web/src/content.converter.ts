import { TextDecoder } from 'node:util';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import TurndownService from 'turndown';
import type { FetchFormat } from './web.dto.js';

export interface Converted {
  title: string;
  content: string;
}

const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
turndown.remove(['script', 'style', 'noscript', 'iframe', 'title']);

function tidy(text: string): string {
  return text
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * linkedom builds the tree as written and does not add the <html>/<body> an HTML5 parser would; a page
 * without a <body> tag (legal HTML) is given one so Readability and turndown see its content.
 */
function withBody(html: string): string {
  if (/<body[\s>]/i.test(html)) return html;
  const inner = html.replace(/<!doctype[^>]*>/i, '').replace(/<\/?(html|head)(\s[^>]*)?>/gi, '');
  const title = /<title[\s>][\s\S]*?<\/title>/i.exec(inner)?.[0] ?? '';
  return `<!doctype html><html><head>${title}</head><body>${inner.replace(title, '')}</body></html>`;
}

/** An HTML page as markdown (Readability's main content, then turndown), readable text, or the HTML itself. */
export function convertHtml(html: string, format: FetchFormat): Converted {
  const page = withBody(html);
  const { document } = parseHTML(page);
  const title = (document.querySelector('title')?.textContent ?? '').trim();
  if (format === 'html') return { title, content: html };
  // Readability rewrites the document it is given, so it gets a copy of its own.
  const article = new Readability(parseHTML(page).document as never).parse();
  const body = document.body as unknown as { innerHTML?: string; textContent?: string } | null;
  if (format === 'text')
    return { title: title || article?.title || '', content: tidy(article?.textContent ?? body?.textContent ?? '') };
  const main = article?.content ?? body?.innerHTML ?? html;
  return { title: title || article?.title || '', content: turndown.turndown(main).trim() };
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const TEXT_TYPES =
  /^(text\/|application\/(json|xml|javascript|ecmascript|x-ndjson|yaml|x-yaml|toml)$|application\/[\w.+-]+\+(json|xml)$)/;

/** How a media type is read: `html` is converted, `text` returned as is, `binary` not read at all. */
export function mediaKind(contentType: string): 'html' | 'text' | 'binary' {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (HTML_TYPES.has(type)) return 'html';
  if (type === '' || TEXT_TYPES.test(type)) return 'text';
  return 'binary';
}

/** The charset named in a Content-Type, if TextDecoder knows it; else UTF-8. */
export function decoderFor(contentType: string): TextDecoder {
  const charset = /charset=["']?([\w.:-]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8');
  } catch {
    return new TextDecoder('utf-8');
  }
}
