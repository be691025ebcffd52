import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A throwaway self-signed serving certificate for fake-kube. TLS is not optional for kubectl:
 * client-go's clientcmd only reads a kubeconfig's credentials when the server is https, so
 * over plain http kubectl would send no token at all. Made with the openssl CLI (P-256, valid
 * two days, SANs 127.0.0.1, ::1, localhost and the bind host); the kubeconfig trusts it by
 * certificate-authority-data.
 */
export interface ServingCertificate {
  key: string;
  cert: string;
}

export async function selfSignedCertificate(host: string): Promise<ServingCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-kube-tls-'));
  const sans = new Set(['IP:127.0.0.1', 'IP:::1', 'DNS:localhost']);
  if (host && host !== '0.0.0.0' && host !== '::') sans.add(isIP(host) ? `IP:${host}` : `DNS:${host}`);
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=fake-kube',
      '-addext',
      `subjectAltName=${[...sans].join(',')}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    return { key: await readFile(join(dir, 'key.pem'), 'utf8'), cert: await readFile(join(dir, 'cert.pem'), 'utf8') };
  } catch (err) {
    throw new Error(`fake-kube needs the openssl CLI to make its TLS certificate: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
