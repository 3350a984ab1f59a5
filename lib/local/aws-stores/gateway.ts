/**
 * The local AWS endpoint (`local.awsPort`): one address for every client, like AWS_ENDPOINT_URL against
 * LocalStack, in front of one store per service. A request goes to the store of its service, read from its
 * SigV4 credential scope or its X-Amz-Target (the same routing LocalStack's gateway does): S3 to s3proxy,
 * DynamoDB to dynalite, everything else (Glue, SQS, CloudWatch…) to moto. While a store restarts, requests
 * for it wait (up to `holdMs`) instead of failing; Glue writes moto acknowledged are journaled before the
 * client hears of them (glue-journal.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GlueJournal, isGlueRead } from './glue-journal.ts';

export type StoreName = 's3' | 'dynamodb' | 'moto';

export interface GatewayOptions {
  port: number;
  /** Glue writes are appended here once moto acknowledged them. */
  glueJournal: GlueJournal;
  /**
   * How long a request waits for its store to come back before it is answered 503.
   * @default 30000
   */
  holdMs?: number;
}

/** The store a request is for. */
export function storeFor(headers: http.IncomingHttpHeaders, url: string): StoreName {
  const target = String(headers['x-amz-target'] ?? '');
  if (target.startsWith('DynamoDB_')) return 'dynamodb';
  if (target !== '') return 'moto';
  const scope =
    /Credential=[^/,\s]+\/\d+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1] ??
    /X-Amz-Credential=[^&]*?(?:%2F|\/)[^&]*?(?:%2F|\/)[^&]*?(?:%2F|\/)([^&%/]+)(?:%2F|\/)aws4_request/i.exec(
      url,
    )?.[1];
  if (scope === 's3') return 's3';
  if (scope === 'dynamodb') return 'dynamodb';
  return 'moto';
}

export class AwsGateway {
  /** Not an AWS path: readiness asks here whether every store serves. */
  static readonly HEALTH_PATH = '/_stratus/health';
  /** Names of the stores that are down (set by the emulator once its stores run). */
  healthCheck: () => string[] = () => [];
  private readonly stores = new Map<StoreName, string>();
  private waiters: Array<() => void> = [];
  private server!: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  /** Requests routed per store, for tests and the report. */
  readonly routed: Record<StoreName, number> = { s3: 0, dynamodb: 0, moto: 0 };

  private constructor(private readonly options: GatewayOptions) {}

  static async start(options: GatewayOptions): Promise<AwsGateway> {
    const gateway = new AwsGateway(options);
    gateway.server = http.createServer((request, response) => void gateway.handle(request, response));
    gateway.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      gateway.server.once('error', reject);
      gateway.server.listen(options.port, '127.0.0.1', () => {
        gateway.server.off('error', reject);
        resolve();
      });
    });
    return gateway;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The store serves at `url` from now on; requests held for it go ahead. */
  storeUp(store: StoreName, url: string): void {
    this.stores.set(store, url);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The store is gone (restarting): its requests wait. */
  storeDown(store: StoreName): void {
    this.stores.delete(store);
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters) wake();
    this.waiters = [];
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
    this.options.glueJournal.close();
  }

  private async storeUrl(store: StoreName): Promise<string | undefined> {
    const deadline = Date.now() + (this.options.holdMs ?? 30_000);
    for (;;) {
      const url = this.stores.get(store);
      if (url || !this.server.listening) return url;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    if (request.url === AwsGateway.HEALTH_PATH) {
      const down = this.healthCheck();
      response.writeHead(down.length === 0 ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ down }));
      return;
    }
    const store = storeFor(request.headers, request.url ?? '/');
    this.routed[store]++;
    const target = String(request.headers['x-amz-target'] ?? '');
    const journaled = store === 'moto' && target.startsWith('AWSGlue.') && !isGlueRead(target);
    // A journaled write's body is kept for the journal; anything else streams through.
    const body = journaled ? await readAll(request) : undefined;
    const base = await this.storeUrl(store);
    if (!base) return unavailable(response, `the local ${store} store is not running`);
    const upstream = http.request(
      new URL(request.url ?? '/', base),
      { method: request.method, headers: forwardedHeaders(request.headers), agent: this.agent },
      (answer) => {
        if (!journaled) {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          return;
        }
        void readAll(answer).then(
          (payload) => {
            const status = answer.statusCode ?? 502;
            if (status >= 200 && status < 300)
              this.options.glueJournal.append({
                target,
                headers: pick(request.headers, [
                  'authorization',
                  'content-type',
                  'x-amz-target',
                  'x-amz-date',
                ]),
                body: body!.toString('utf8'),
              });
            response.writeHead(status, answer.headers);
            response.end(payload);
          },
          (error: Error) => response.destroy(error),
        );
      },
    );
    upstream.on('error', (error) => {
      // The store died in mid-request: whether it applied the request is unknown, as after a network error
      // with AWS; the client's own retry decides.
      if (!response.headersSent) unavailable(response, `the local ${store} store failed: ${error.message}`);
      else response.destroy(error);
    });
    if (body) upstream.end(body);
    else request.pipe(upstream);
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** The client's headers minus the hop-by-hop ones (node answers `Expect: 100-continue` itself). */
function forwardedHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const { connection: _connection, 'keep-alive': _keepAlive, expect: _expect, ...rest } = headers;
  return rest;
}

function pick(headers: http.IncomingHttpHeaders, names: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) if (headers[name] !== undefined) picked[name] = String(headers[name]);
  return picked;
}

/** 503 is what the AWS SDKs retry as a transient error (ServiceUnavailable). */
function unavailable(response: http.ServerResponse, message: string): void {
  response.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailable' });
  response.end(JSON.stringify({ __type: 'ServiceUnavailable', message }));
}
