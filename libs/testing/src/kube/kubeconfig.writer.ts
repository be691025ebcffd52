import { writeFileSync } from 'node:fs';

/** A kubeconfig for the fake: one cluster (https, trusting `caPem`), one token user, one current context. */
export function kubeconfigYaml(server: string, token: string, namespace: string, caPem?: string): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake-kube',
    '  cluster:',
    `    server: ${q(server)}`,
    ...(caPem ? [`    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`] : []),
    'users:',
    '- name: fake-kube',
    '  user:',
    `    token: ${q(token)}`,
    'contexts:',
    '- name: fake-kube',
    '  context:',
    '    cluster: fake-kube',
    '    user: fake-kube',
    `    namespace: ${q(namespace)}`,
    'current-context: fake-kube',
    'preferences: {}',
    '',
  ].join('\n');
}

export function writeKubeconfigFile(path: string, yaml: string): void {
  writeFileSync(path, yaml, { mode: 0o600 });
}
