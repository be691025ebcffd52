import { IMAGE_TEMPLATES, LOCAL_IMAGES } from '@sandboxed/plugin-sdk';
import type { DockerTemplate } from './docker-runtime.options.js';

export { LOCAL_IMAGES };

type TemplateSeed = Omit<DockerTemplate, 'network' | 'env'>;

/**
 * Chromium counts against the pids limit with every thread of every process: the browser, GPU,
 * network and storage processes and a renderer per site and tab. Measured in the browser image
 * (2 CPUs; the thread pools grow with the CPUs the host has): 115 with one blank tab, and 257 with
 * three pages of four workers and three cross-site frames each plus three plain tabs, where the
 * runtime-wide 256 already made every new exec in the sandbox fail to fork.
 */
export const BROWSER_PIDS_LIMIT = 1024;

export const DEFAULT_TEMPLATES: Readonly<Record<string, TemplateSeed>> = {
  ...IMAGE_TEMPLATES,
  browser: { ...IMAGE_TEMPLATES.browser!, pidsLimit: BROWSER_PIDS_LIMIT },
};

/**
 * The pids limit of template `name` when its config sets none: the default template's, but never
 * below the runtime-wide limit (a configured `browser` that only changes the image keeps it).
 * Undefined: the runtime-wide limit applies.
 */
export function defaultPidsLimitOf(name: string, runtimeWide: number): number | undefined {
  const seeded = DEFAULT_TEMPLATES[name]?.pidsLimit;
  return seeded === undefined ? undefined : Math.max(seeded, runtimeWide);
}

/** How to build a missing image, for the error message. */
export function buildHintFor(image: string): string {
  if ((Object.values(LOCAL_IMAGES) as string[]).includes(image)) return 'build it with `npm run images:local`';
  return 'pull or build it on the engine (the local images are built by `npm run images:local`)';
}
