/**
 * The keep-alive pool of one connection to one API server. Node's Agent derives the pool's key
 * (`getName`) from the request's host, port and every TLS option, and does so three times per
 * request (queueing it, handing it a socket, taking the socket back), encoding the CA and client
 * certificate each time: in a profile of a 30,000-object apply that was more CPU than building
 * the request itself. A connection's agent only ever reaches its one server with one set of TLS
 * material (new credentials get a new agent), so the key is computed once.
 */
import https from 'node:https';

export class PoolAgent extends https.Agent {
  private key: string | undefined;

  override getName(options?: https.RequestOptions): string {
    return (this.key ??= super.getName(options));
  }
}
