import { describe, expect, it } from 'vitest';
import { StoreTimeoutError, classify, toError } from './reason.js';

const coded = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('classify: the reason label of a store failure', () => {
  it.each<[string, unknown, string]>([
    ['our timeout', new StoreTimeoutError('store write', 700), 'timeout'],
    [
      'a refused connection',
      coded('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'),
      'unreachable',
    ],
    ['a closed connection (ioredis)', new Error('Connection is closed.'), 'unreachable'],
    ['a wrong password', new Error('WRONGPASS invalid username-password pair'), 'auth'],
    [
      'a missing password',
      new Error('Ready check failed: NOAUTH Authentication required.'),
      'auth',
    ],
    [
      'an untrusted chain',
      coded('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      'tls',
    ],
    [
      'an unknown issuer',
      coded('unable to get local issuer certificate', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'),
      'tls',
    ],
    [
      'a wrong host name',
      coded("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'),
      'tls',
    ],
    [
      'a Cluster slot without a master',
      new Error('CLUSTERDOWN The cluster is down'),
      'unreachable',
    ],
    [
      'a demoted master',
      new Error("READONLY You can't write against a read only replica."),
      'unreachable',
    ],
    [
      'a Cluster between slot maps',
      new Error("Cluster isn't ready and enableOfflineQueue options is false"),
      'unreachable',
    ],
    [
      'a Cluster chasing a failover',
      new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'),
      'unreachable',
    ],
    ['anything else', new Error('ERR unknown command'), 'error'],
    ['not an error at all', 'a string', 'error'],
  ])('%s', (_, error, reason) => {
    expect(classify(error)).toBe(reason);
  });

  it('looks through the cause chain for the real reason', () => {
    const cause = new Error('WRONGPASS invalid username-password pair');
    expect(classify(new Error('redis is not ready (reconnecting)', { cause }))).toBe('auth');
    expect(classify(new Error('redis is not ready (reconnecting)'))).toBe('unreachable');
  });

  it('turns any thrown value into an Error without trusting its toString', () => {
    const unprintable = {
      toString(): string {
        throw new Error('no');
      },
    };
    expect(toError(unprintable).message).toBe(
      'store failed with a non-Error value: an unprintable object',
    );
    expect(toError(42).message).toBe('store failed with a non-Error value: 42');
  });
});
