import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** PEM file of the throwaway CA. */
  readonly ca: string;
  /** PEM file of a server certificate for 127.0.0.1 and localhost, signed by that CA. */
  readonly cert: string;
  readonly key: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A throwaway CA and a server certificate signed by it, made with `openssl` in `dir`. */
export function createCertificates(dir: string, name: string): TestCertificates {
  const file = (suffix: string): string => join(dir, `${name}-${suffix}`);
  const [ca, caKey] = [file('ca.crt'), file('ca.key')];
  const [cert, key, csr, ext] = [file('server.crt'), file('server.key'), file('csr'), file('ext')];
  const subject = (cn: string): string[] => ['-subj', `/CN=${cn}`, '-days', '1'];
  openssl(['req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', ca, ...subject(`${name} CA`)]);
  openssl(['req', '-new', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const sign = ['-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-extfile', ext, '-days', '1'];
  openssl(['x509', '-req', '-in', csr, '-out', cert, ...sign]);
  return { ca, cert, key };
}
