import { InvalidArgumentError } from './errors.js';

/** How deep request JSON (REST bodies, WebSocket frames) may nest. Operation inputs need far less. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text nests objects and arrays deeper than `limit`: one pass over the text, no parse and
 * no recursion, so a 50,000-deep body costs a loop rather than a stack overflow later in validation.
 * Brackets inside strings do not count. Malformed text is left for the parser to refuse.
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  if (text.length <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** Throws InvalidArgumentError (400) when `text` nests deeper than `limit`; `what` names it ("Body", "Frame"). */
export function assertJsonDepth(text: string, what = 'JSON', limit = MAX_JSON_DEPTH): void {
  if (jsonDepthExceeds(text, limit)) {
    throw new InvalidArgumentError(`${what} is nested deeper than ${limit} levels; send flatter JSON`);
  }
}
