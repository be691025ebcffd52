import { describe, expect, it } from '@jest/globals';
import { convertHtml, mediaKind } from './content.converter.js';

describe('convertHtml', () => {
  it('reads a page written without <html>, <head> or <body> tags', () => {
    expect(convertHtml('<title>t</title><p>hello <b>there</b></p>', 'markdown')).toEqual({
      title: 't',
      content: 'hello **there**',
    });
    expect(convertHtml('<!doctype html><title>t</title><p>hello</p>', 'text')).toEqual({
      title: 't',
      content: 'hello',
    });
  });

  it('returns html untouched, with the title', () => {
    const html = '<html><head><title> T </title></head><body><p>x</p></body></html>';
    expect(convertHtml(html, 'html')).toEqual({ title: 'T', content: html });
  });
});

describe('mediaKind', () => {
  it.each([
    ['text/html; charset=utf-8', 'html'],
    ['application/xhtml+xml', 'html'],
    ['text/plain', 'text'],
    ['application/json', 'text'],
    ['application/ld+json', 'text'],
    ['', 'text'],
    ['image/png', 'binary'],
    ['application/octet-stream', 'binary'],
    ['application/pdf', 'binary'],
  ])('%s is %s', (type, kind) => expect(mediaKind(type)).toBe(kind));
});
