/**
 * A TCP proxy the tests put between the browser and the server, so they can
 * cut live connections (the browser sees its WebSocket drop with 1006, as on a
 * network failure) and refuse new ones for a while (the server looks down).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

export class CuttableProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #targetPort = 0;
  #refusing = false;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Listens on 127.0.0.1 at a free port; the target is set later (the server may need the proxy's origin first). */
  static async listen(): Promise<CuttableProxy> {
    const server = createServer();
    const proxy = new CuttableProxy(server);
    server.on('connection', (client) => proxy.#accept(client));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  target(port: number): void {
    this.#targetPort = port;
  }

  /** Destroys every open connection, both ways, and (with `refuse`) every new one until `restore`. */
  cut(refuse = true): void {
    this.#refusing = refuse;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  restore(): void {
    this.#refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    this.#server.close();
    await once(this.#server, 'close');
  }

  #accept(client: Socket): void {
    if (this.#refusing || this.#targetPort === 0) {
      client.destroy();
      return;
    }
    const upstream = connect(this.#targetPort, '127.0.0.1');
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.#sockets.delete(a);
        b.destroy();
      });
    }
  }
}
