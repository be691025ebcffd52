import { InvalidArgumentError, type SandboxResources } from '@sandboxed/plugin-sdk';

type ResourceCaps = Required<Pick<SandboxResources, 'cpu' | 'memoryMb' | 'pids' | 'diskMb'>>;

/** The request's resources over the defaults, each checked against its cap (400 naming the field). */
export function resolveResources(
  requested: SandboxResources | undefined,
  defaults: ResourceCaps,
  caps: ResourceCaps,
): ResourceCaps {
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof ResourceCaps)[]) {
    const value = requested?.[key] ?? defaults[key];
    if (value > caps[key]) throw new InvalidArgumentError(`resources.${key}: at most ${caps[key]}`, { field: key });
    out[key] = value;
  }
  return out;
}
