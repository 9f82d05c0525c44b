/** Starts the built echo server once per test file and runs exchanges against it. */
import { after, before } from 'node:test';
import { startServer, type RunningServer } from '../../helpers/server.js';
import { RawClient, summarize } from './raw-client.js';
import type { ServerFrame } from './frames.js';

export function useEchoServer(args: string[] = []): () => RunningServer {
  let server: RunningServer | undefined;
  before(async () => {
    server = await startServer({ entry: 'echo-server.js', args });
  });
  after(async () => {
    await server?.stop();
  });
  return () => server!;
}

/**
 * Opens a connection, lets `script` send, and returns every frame the server sent until it
 * closed the TCP connection (the exact outcome of a conformance case).
 */
export async function exchange(port: number, script: (client: RawClient) => void | Promise<void>, timeoutMs = 5000): Promise<ServerFrame[]> {
  const client = await RawClient.open(port);
  if (client.answer?.status !== 101) throw new Error(`handshake failed: ${client.answer?.status}`);
  try {
    await script(client);
    return await client.untilClosed(timeoutMs);
  } finally {
    client.destroy();
  }
}

export async function outcome(port: number, script: (client: RawClient) => void | Promise<void>, timeoutMs?: number): Promise<string[]> {
  return summarize(await exchange(port, script, timeoutMs));
}

export const tick = () => new Promise((resolve) => setImmediate(resolve));
