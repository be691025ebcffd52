/**
 * Functions run inside the page (by Runtime.callFunctionOn), as source text. Arguments travel as
 * CDP call arguments, never spliced into the source.
 */

/** Shared by the waits: whether an element is rendered and visible. */
const VISIBLE = `function visible(el) {
  if (!el || !el.isConnected) return false;
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden' || style.display === 'none') return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
}`;

/**
 * Waits until a selector (or text, or `this` element) reaches a state: `visible` (default),
 * `hidden` or `attached`. Resolves with the element (or true), or with `{timeout: true}` /
 * `{invalidSelector: message}`; it never throws, so the gateway maps each case to its error.
 */
export const WAIT_FOR = `function (selector, text, state, timeoutMs) {
  ${VISIBLE}
  const self = this instanceof Element ? this : null;
  const probe = () => {
    if (text != null) {
      const has = (document.body ? document.body.innerText : '').includes(text);
      return state === 'hidden' ? !has : has;
    }
    const el = self || document.querySelector(selector);
    if (state === 'attached') return el && el.isConnected ? el : null;
    if (state === 'hidden') return !visible(el);
    return visible(el) ? el : null;
  };
  try {
    const first = probe();
    if (first) return first;
  } catch (e) {
    return { invalidSelector: String(e && e.message || e) };
  }
  return new Promise((resolve) => {
    const done = (v) => { clearInterval(poll); clearTimeout(timer); observer.disconnect(); resolve(v); };
    const check = () => { const v = probe(); if (v) done(v); };
    const observer = new MutationObserver(check);
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    const poll = setInterval(check, 100);
    const timer = setTimeout(() => done({ timeout: true }), timeoutMs);
  });
}`;

/** Scrolls `this` into view and says whether it is visible. */
export const SCROLL_INTO_VIEW = `function () {
  ${VISIBLE}
  this.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
  return visible(this);
}`;

/** Focuses `this` and selects its contents, so typed text replaces them. */
export const FOCUS_AND_SELECT = `function () {
  this.focus();
  if (typeof this.select === 'function' && /^(INPUT|TEXTAREA)$/.test(this.tagName)) { this.select(); return true; }
  if (this.isContentEditable) {
    const range = document.createRange();
    range.selectNodeContents(this);
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return true;
  }
  return document.activeElement === this;
}`;

/** Selects options of the `<select>` `this` by value or label; answers the values now selected, or an error text. */
export const SELECT_OPTIONS = `function (wanted) {
  if (this.tagName !== 'SELECT') return { error: 'the element is a <' + this.tagName.toLowerCase() + '>, not a <select>' };
  const options = Array.from(this.options);
  const picked = wanted.map((w) => options.find((o) => o.value === w || o.label === w || o.text.trim() === w));
  const missing = wanted.filter((w, i) => !picked[i]);
  if (missing.length) return { error: 'no option with value or label ' + JSON.stringify(missing[0]) + '; options: ' + JSON.stringify(options.map((o) => o.value).slice(0, 50)) };
  if (!this.multiple && picked.length > 1) return { error: 'the <select> takes one value' };
  for (const o of options) o.selected = picked.includes(o);
  this.dispatchEvent(new Event('input', { bubbles: true }));
  this.dispatchEvent(new Event('change', { bubbles: true }));
  return { selected: options.filter((o) => o.selected).map((o) => o.value) };
}`;

/** outerHTML of `this` (or the document), and its text. */
export const HTML_OF = `function () { const el = this instanceof Element ? this : document.documentElement; return el ? el.outerHTML : ''; }`;
export const TEXT_OF = `function () { const el = this instanceof Element ? this : document.body; return el ? el.innerText : ''; }`;

/** The page's viewport and scroll position. */
export const PAGE_STATE = `function () {
  return { url: location.href, title: document.title, width: innerWidth, height: innerHeight, scrollX, scrollY, readyState: document.readyState };
}`;

export const SCROLL_BY = `function (x, y) { window.scrollBy(x, y); return { scrollX, scrollY }; }`;

/** Waits for the document to finish loading (after a history navigation or reload). */
export const WAIT_LOADED = `function (timeoutMs) {
  if (document.readyState === 'complete') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    addEventListener('load', () => { clearTimeout(timer); resolve(true); }, { once: true });
  });
}`;
