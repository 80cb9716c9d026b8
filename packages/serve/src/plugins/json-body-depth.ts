import { RallyError } from '@rally/errors';

/** Deepest nesting a request body may have: a data point is flat, a body `{"data": [{...}]}` is 3 deep. */
const MAX_BODY_DEPTH = 32;

/**
 * Throws REQUEST_MALFORMED when `value` nests arrays or objects more than MAX_BODY_DEPTH levels. An
 * explicit stack, no recursion, and it stops at the first level too deep: safe on any parsed JSON.
 */
export function assertShallow(value: unknown): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) {
      throw new RallyError('REQUEST_MALFORMED', `The request body nests arrays or objects more than ${MAX_BODY_DEPTH} levels deep; a data point is a flat object.`);
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
}
