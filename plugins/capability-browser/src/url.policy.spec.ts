import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@sandboxed/plugin-sdk';
import { checkedNavigationUrl } from './url.policy.js';

function refusal(url: string): InvalidArgumentError {
  try {
    checkedNavigationUrl(url);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  }
  throw new Error(`${url} was accepted`);
}

describe('which URLs the browser is sent to', () => {
  it('passes http and https URLs, normalised, and about:blank', () => {
    expect(checkedNavigationUrl('http://localhost:8000/form.html')).toBe('http://localhost:8000/form.html');
    expect(checkedNavigationUrl('https://example.com/a?b=1#c')).toBe('https://example.com/a?b=1#c');
    expect(checkedNavigationUrl('HTTP://Example.COM')).toBe('http://example.com/');
    expect(checkedNavigationUrl('about:blank')).toBe('about:blank');
  });

  it.each([
    ['file:///etc/passwd', 'file'],
    ['chrome://version', 'chrome'],
    ['devtools://devtools/bundled/inspector.html', 'devtools'],
    ['view-source:http://localhost:8000/', 'view-source'],
    ['javascript:alert(1)', 'javascript'],
    ['JavaScript:alert(1)', 'javascript'],
    ['data:text/html,<h1>hi</h1>', 'data'],
    ['ftp://example.com/file', 'ftp'],
    ['about:settings', 'about'],
    ['blob:http://localhost/123', 'blob'],
  ])('refuses %s with a 400 naming the scheme', (url, scheme) => {
    const err = refusal(url);
    expect(err.status).toBe(400);
    expect(err.message).toBe(
      `url: the ${scheme}: scheme is refused; the browser opens http and https URLs (and about:blank)`,
    );
    expect(err.details).toEqual({ scheme });
  });

  it.each(['not a url', '', '//localhost:8000/', '/form.html', 'http://'])(
    'refuses %j, which is not an absolute URL, with a 400',
    (url) => {
      const err = refusal(url);
      expect(err.status).toBe(400);
      expect(err.message).toMatch(/^url: ".*" is not an absolute URL \(e\.g\. http:\/\/localhost:8000\/\)$/);
    },
  );

  it('quotes at most 200 characters of a bad URL', () => {
    const err = refusal(`not a url ${'x'.repeat(1000)}`);
    expect(err.message.length).toBeLessThan(300);
  });
});
