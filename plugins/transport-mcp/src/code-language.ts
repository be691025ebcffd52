/** A language `run_code` knows: how to run a file of it, and the sandbox template `create_sandbox` picks. */
export interface CodeLanguage {
  id: string;
  aliases: string[];
  interpreter: string[];
  extension: string;
  /** Template for `create_sandbox`; undefined means the gateway's default template. */
  template?: string;
}

export const CODE_LANGUAGES: readonly CodeLanguage[] = [
  { id: 'python', aliases: ['python3', 'py'], interpreter: ['python3'], extension: 'py', template: 'python' },
  { id: 'javascript', aliases: ['js', 'node', 'nodejs'], interpreter: ['node'], extension: 'js', template: 'node' },
  { id: 'bash', aliases: [], interpreter: ['bash'], extension: 'sh' },
  { id: 'sh', aliases: ['shell'], interpreter: ['sh'], extension: 'sh' },
];

/** Every accepted spelling, for the tools' `enum`. */
export const LANGUAGE_NAMES: readonly string[] = CODE_LANGUAGES.flatMap((l) => [l.id, ...l.aliases]);

export function languageFor(name: string | undefined): CodeLanguage | undefined {
  if (!name) return undefined;
  const key = name.toLowerCase();
  return CODE_LANGUAGES.find((l) => l.id === key || l.aliases.includes(key));
}
