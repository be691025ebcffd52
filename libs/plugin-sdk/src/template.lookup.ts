import { InvalidArgumentError } from './errors.js';

/**
 * The template a create asks for, or a 400 listing the ones there are. Own keys only: a name such
 * as `constructor` or `__proto__` must not find something on Object.prototype.
 */
export function templateOf<T>(templates: Readonly<Record<string, T>>, name: string): T {
  if (Object.hasOwn(templates, name)) return templates[name]!;
  const names = Object.keys(templates);
  throw new InvalidArgumentError(`Unknown template "${name}" (available: ${names.join(', ')})`, {
    template: name,
    templates: names,
  });
}
