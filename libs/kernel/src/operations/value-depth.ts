import { MAX_JSON_DEPTH } from '@sandboxed/plugin-sdk';

/**
 * Whether a parsed JSON value nests objects and arrays deeper than `limit`, counting the value itself
 * as level 1 (as `jsonDepthExceeds` counts brackets in text). An explicit stack, no recursion: a
 * 50,000-deep value costs a loop here instead of a stack overflow in the DTO transform after it.
 */
export function valueDepthExceeds(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: Array<{ node: object; depth: number }> = [];
  const visit = (child: unknown, depth: number): boolean => {
    // Bytes (a Buffer in an in-process call) hold no nesting; walking them would only cost time.
    if (child === null || typeof child !== 'object' || ArrayBuffer.isView(child)) return false;
    if (depth > limit) return true;
    stack.push({ node: child, depth });
    return false;
  };
  if (visit(value, 1)) return true;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (visit(child, depth + 1)) return true;
  }
  return false;
}
