import { IMAGE_TEMPLATES, LOCAL_IMAGES } from '@sandboxed/plugin-sdk';
import type { DockerTemplate } from './docker-runtime.options.js';

export { LOCAL_IMAGES };

type TemplateSeed = Omit<DockerTemplate, 'network' | 'env'>;

export const DEFAULT_TEMPLATES: Readonly<Record<string, TemplateSeed>> = IMAGE_TEMPLATES;

/** How to build a missing image, for the error message. */
export function buildHintFor(image: string): string {
  if ((Object.values(LOCAL_IMAGES) as string[]).includes(image)) return 'build it with `npm run images:local`';
  return 'pull or build it on the engine (the local images are built by `npm run images:local`)';
}
