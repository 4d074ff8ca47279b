import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { settlingAgent } from '../../../runner/sandbox/docker-agent.ts';
import { removeTree, writeTree } from '../../helpers/course.ts';

const dir = writeTree({});
const socket = join(dir, 'docker.sock');
let server: Server;

// A daemon that dies mid-call: POST /containers/x/wait sends its headers at once (as dockerd does)
// and the connection is then cut before the body; everything else answers normally.
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.includes('/wait')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => req.socket.destroy(), 50);
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"StatusCode":0}');
    }
  });
  await new Promise<void>((r) => server.listen(socket, r));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  removeTree(dir);
});

const client = () => {
  const docker = new Docker({ socketPath: socket });
  (docker.modem as { agent?: unknown }).agent = settlingAgent('http');
  return docker;
};

describe('the dockerode agent', () => {
  test('a call whose response is cut off fails instead of hanging forever', async () => {
    await expect(client().getContainer('x').wait()).rejects.toThrow('the Docker daemon closed the connection before it answered');
  });

  test('complete responses are unchanged', async () => {
    expect(await client().getContainer('y').inspect()).toEqual({ StatusCode: 0 });
  });
});
