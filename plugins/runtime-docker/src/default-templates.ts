import type { DockerTemplate } from './docker-runtime.options.js';

/** Images built by `npm run images:local` (scripts/build-images.sh) or from docker/*.Dockerfile. */
export const LOCAL_IMAGES = {
  base: 'sandboxed/base:local',
  python: 'sandboxed/python:local',
  node: 'sandboxed/node:local',
  polyglot: 'sandboxed/polyglot:local',
} as const;

type TemplateSeed = Omit<DockerTemplate, 'network' | 'env'>;

/** go, java, rust, ruby and php share the polyglot image (skipped by SANDBOXED_IMAGES_POLYGLOT=0). */
export const DEFAULT_TEMPLATES: Readonly<Record<string, TemplateSeed>> = {
  base: { image: LOCAL_IMAGES.base, language: 'bash' },
  python: { image: LOCAL_IMAGES.python, language: 'python' },
  node: { image: LOCAL_IMAGES.node, language: 'javascript' },
  go: { image: LOCAL_IMAGES.polyglot, language: 'go' },
  java: { image: LOCAL_IMAGES.polyglot, language: 'java' },
  rust: { image: LOCAL_IMAGES.polyglot, language: 'rust' },
  ruby: { image: LOCAL_IMAGES.polyglot, language: 'ruby' },
  php: { image: LOCAL_IMAGES.polyglot, language: 'php' },
};

/** How to build a missing image, for the error message. */
export function buildHintFor(image: string): string {
  if ((Object.values(LOCAL_IMAGES) as string[]).includes(image)) return 'build it with `npm run images:local`';
  return 'pull or build it on the engine (the local images are built by `npm run images:local`)';
}
