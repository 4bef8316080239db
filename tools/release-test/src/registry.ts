import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort, launchServer, retryOnPortClash, tempDir } from '@ai-orchestrator/testkit';

export interface LocalRegistry {
  /** `http://127.0.0.1:PORT/`, with the trailing slash npm expects. */
  readonly url: string;
  /** A publish token of the one registered user. */
  readonly token: string;
  /** The stored packument of a package, as npm reads it. */
  packument(name: string): Promise<Packument>;
  stop(): Promise<void>;
}

export interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<string, PublishedManifest>;
}

export interface PublishedManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

// Only our scope lives here and nothing is proxied: clean projects fetch every other package
// from the default registry, so a missing publish fails instead of falling through to npmjs.
const CONFIG = (storage: string, htpasswd: string): string => `storage: ${storage}
auth:
  htpasswd:
    file: ${htpasswd}
    max_users: 1
uplinks: {}
packages:
  '@ai-orchestrator/*':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
  '**':
    access: $all
web:
  enable: false
log: { type: stdout, format: json, level: warn }
`;

/**
 * Starts verdaccio on a free 127.0.0.1 port (picked again when another process takes it first)
 * with empty temp storage and registers one user.
 * @example
 * const registry = await startRegistry();
 * await registry.stop();
 */
export async function startRegistry(): Promise<LocalRegistry> {
  return retryOnPortClash(launchRegistry);
}

async function launchRegistry(): Promise<LocalRegistry> {
  const dir = tempDir('verdaccio');
  const configFile = join(dir.path, 'config.yaml');
  writeFileSync(configFile, CONFIG(join(dir.path, 'storage'), join(dir.path, 'htpasswd')));
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  // launchServer removes the dir when verdaccio does not start (or another process answers)
  const { stop } = await launchServer(
    process.execPath,
    [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`],
    dir,
    `${url}-/ping`,
  );
  try {
    // What `npm adduser` does: the first PUT registers the user and answers with a token.
    const res = await fetch(`${url}-/user/org.couchdb.user:releaser`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'releaser', password: 'release-test-password' }),
    });
    const body = (await res.json()) as { token?: string };
    if (res.status !== 201 || !body.token) {
      throw new Error(`verdaccio refused the user: ${res.status} ${JSON.stringify(body)}`);
    }
    const token = body.token;
    return {
      url,
      token,
      async packument(name) {
        const res = await fetch(url + name.replace('/', '%2f'));
        if (!res.ok) throw new Error(`${name}: HTTP ${res.status} from ${url}`);
        return (await res.json()) as Packument;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
