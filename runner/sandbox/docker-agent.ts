import http from 'node:http';
import https from 'node:https';

type Request = http.ClientRequest;

/** A response that closes before its end means the connection was cut (e.g. the daemon died). */
function settleCutResponses(req: Request): void {
  req.once('response', (res: http.IncomingMessage) => {
    res.once('close', () => {
      // docker-modem hears about failures on the request only; without this it waits for 'end' forever.
      if (!res.complete && req.listenerCount('error') > 0) req.emit('error', new Error('the Docker daemon closed the connection before it answered'));
    });
  });
}

/**
 * An HTTP(S) agent for dockerode under which every call settles when the daemon goes away.
 * docker-modem reads a plain response only through 'end', so a daemon that dies after sending the
 * headers of a long call (POST /containers/{id}/wait) would leave that call pending forever, and a
 * grade batch would stop short with nothing written.
 */
export function settlingAgent(protocol: 'http' | 'https'): http.Agent {
  const Base = protocol === 'https' ? https.Agent : http.Agent;
  const agent = new Base();
  const add = (agent as unknown as { addRequest(req: Request, ...rest: unknown[]): void }).addRequest.bind(agent);
  (agent as unknown as { addRequest(req: Request, ...rest: unknown[]): void }).addRequest = (req, ...rest) => {
    settleCutResponses(req);
    add(req, ...rest);
  };
  return agent;
}
