/** Images built by `npm run images:local` (scripts/build-images.sh) or from docker/*.Dockerfile. */
export const LOCAL_IMAGES = {
  base: 'sandboxed/base:local',
  python: 'sandboxed/python:local',
  node: 'sandboxed/node:local',
  browser: 'sandboxed/browser:local',
  polyglot: 'sandboxed/polyglot:local',
} as const;

export interface ImageTemplateSeed {
  image: string;
  /** Language the template is meant for (informational, used by capability-code). */
  language: string;
}

/**
 * The templates every container runtime offers by default. go, java, rust, ruby and php share
 * the polyglot image (skipped by SANDBOXED_IMAGES_POLYGLOT=0). browser has Debian's Chromium
 * (/usr/lib/chromium/chromium), fonts and python3 (skipped by SANDBOXED_IMAGES_BROWSER=0).
 */
export const IMAGE_TEMPLATES: Readonly<Record<string, ImageTemplateSeed>> = {
  base: { image: LOCAL_IMAGES.base, language: 'bash' },
  python: { image: LOCAL_IMAGES.python, language: 'python' },
  node: { image: LOCAL_IMAGES.node, language: 'javascript' },
  browser: { image: LOCAL_IMAGES.browser, language: 'python' },
  go: { image: LOCAL_IMAGES.polyglot, language: 'go' },
  java: { image: LOCAL_IMAGES.polyglot, language: 'java' },
  rust: { image: LOCAL_IMAGES.polyglot, language: 'rust' },
  ruby: { image: LOCAL_IMAGES.polyglot, language: 'ruby' },
  php: { image: LOCAL_IMAGES.polyglot, language: 'php' },
};
