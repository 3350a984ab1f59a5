/**
 * The local AWS endpoint (`local.awsPort`): one address for every client, like AWS_ENDPOINT_URL against
 * LocalStack, in front of one store per service. A request goes to the store of its service, read from its
 * SigV4 credential scope or its X-Amz-Target (the same routing LocalStack's gateway does): S3 to s3proxy,
 * DynamoDB to dynalite, everything else (Glue, SQS, CloudWatch…) to moto. While a store restarts, requests
 * for it wait (up to `holdMs`) instead of failing; Glue writes moto acknowledged are journaled before the
 * client hears of them (glue-journal.ts). The item operations of the tables in `memoryTables` (the idempotency
 * table) are answered here, from memory made durable by a log (durable-table.ts): the hot path of idempotency
 * then costs neither dynalite nor a second HTTP hop — and for the execution environments of this process no
 * HTTP at all: they hand those requests over a message port (answerInProcess, function-host/held-table-transport.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DurableTable } from './durable-table.ts';
import {
  type DynamoDbAnswer,
  isItemWrite,
  storeFailure,
  TableLocks,
  tablesNamed,
  tablesWritten,
  transactWriteItems,
  validation,
} from './dynamodb-transactions.ts';
import { type GlueJournal, isGlueRead } from './glue-journal.ts';
import {
  type InProcessAnswer,
  type InProcessAnswerer,
  type InProcessRequest,
  registerInProcessAnswerer,
} from './in-process-answers.ts';

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
  /**
   * Tables whose item operations the gateway serves itself (opened by the emulator once dynalite runs); their
   * control plane (DescribeTable, UpdateTimeToLive…) stays with dynalite. Closed with the gateway.
   * @default none
   */
  memoryTables?: DurableTable[];
}

/** Operations that go to a memory table when they name one (the table refuses those it does not emulate). */
const MEMORY_TABLE_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'Scan',
  'Query',
  'TransactGetItems',
  'CreateTable',
  'DeleteTable',
]);

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

export class AwsGateway implements InProcessAnswerer {
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
  private readonly tableLocks = new TableLocks();
  private readonly keySchemas = new Map<string, Promise<string[]>>();
  private readonly memoryTables: Map<string, DurableTable>;
  private unregister: () => void = () => {};

  private constructor(private readonly options: GatewayOptions) {
    this.memoryTables = new Map((options.memoryTables ?? []).map((table) => [table.name, table]));
  }

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
    gateway.unregister = registerInProcessAnswerer(gateway.url, gateway);
    return gateway;
  }

  get heldTables(): string[] {
    return [...this.memoryTables.keys()];
  }

  /**
   * A DynamoDB request for a held table, from an execution environment of this process
   * (function-host/held-table-transport.ts): answered as {@link handleDynamoDb} answers it over HTTP; undefined
   * for anything else, which the environment then sends over HTTP.
   */
  async answerInProcess(request: InProcessRequest): Promise<InProcessAnswer | undefined> {
    if (!request.target.startsWith('DynamoDB_') || !this.server.listening) return undefined;
    const operation = request.target.slice(request.target.indexOf('.') + 1);
    if (!MEMORY_TABLE_OPERATIONS.has(operation)) return undefined;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const answer = await this.heldTableAnswer(operation, parsed, request.headers);
    if (!answer) return undefined;
    this.routed.dynamodb++;
    return { status: answer.status, headers: answerHeaders(answer), body: JSON.stringify(answer.payload) };
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
    this.unregister();
    for (const wake of this.waiters) wake();
    this.waiters = [];
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
    this.options.glueJournal.close();
    await Promise.all([...this.memoryTables.values()].map((table) => table.close()));
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
    if (store === 'dynamodb') return this.handleDynamoDb(request, response, target);
    const journaled = store === 'moto' && target.startsWith('AWSGlue.') && !isGlueRead(target);
    // A journaled write's body is kept for the journal; anything else streams through.
    return this.proxy(request, response, store, journaled ? await readAll(request) : undefined, journaled);
  }

  /**
   * Sends the request to its store and the store's answer back; settles once the answer is complete. `body`:
   * the request's body when it was read already. `journaled`: a Glue write, appended to the journal once moto
   * acknowledged it.
   */
  private async proxy(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    store: StoreName,
    body?: Buffer,
    journaled = false,
  ): Promise<void> {
    const base = await this.storeUrl(store);
    if (!base) return unavailable(response, `the local ${store} store is not running`);
    const target = String(request.headers['x-amz-target'] ?? '');
    const answered = new Promise<void>((settle) => response.once('close', () => settle()));
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
    return answered;
  }

  /**
   * DynamoDB: requests naming a memory table are answered here (fromMemory); TransactWriteItems is run here
   * (dynalite has none; dynamodb-transactions.ts); the other writes hold their tables shared, so a transaction
   * never interleaves with them; reads stream through.
   */
  private async handleDynamoDb(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    target: string,
  ): Promise<void> {
    const operation = target.slice(target.indexOf('.') + 1);
    const maybeMemory = this.memoryTables.size > 0 && MEMORY_TABLE_OPERATIONS.has(operation);
    if (!maybeMemory && operation !== 'TransactWriteItems' && !isItemWrite(operation))
      return this.proxy(request, response, 'dynamodb');
    const body = await readAll(request);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      // Malformed: dynalite answers it as DynamoDB would.
      return this.proxy(request, response, 'dynamodb', body);
    }
    if (maybeMemory) {
      const answer = await this.heldTableAnswer(operation, parsed, request.headers);
      if (answer) return send(response, answer);
    }
    if (operation !== 'TransactWriteItems' && !isItemWrite(operation))
      return this.proxy(request, response, 'dynamodb', body);
    if (operation !== 'TransactWriteItems')
      return this.tableLocks.with(tablesWritten(operation, parsed), false, () =>
        this.proxy(request, response, 'dynamodb', body),
      );
    const base = await this.storeUrl('dynamodb');
    if (!base) return unavailable(response, 'the local dynamodb store is not running');
    const call = (name: string, payload: unknown) => this.callDynamoDb(base, request.headers, name, payload);
    let answer: DynamoDbAnswer;
    try {
      answer = await transactWriteItems(parsed, call, this.tableLocks, (table) =>
        this.keySchemaOf(table, call),
      );
    } catch (error) {
      return unavailable(response, `the local dynamodb store failed: ${(error as Error).message}`);
    }
    send(response, answer);
  }

  /** {@link fromMemory}, a failure of the held table answered as DynamoDB's InternalServerError. */
  private heldTableAnswer(
    operation: string,
    body: Record<string, unknown>,
    headers: http.IncomingHttpHeaders,
  ): Promise<DynamoDbAnswer | undefined> {
    return this.fromMemory(operation, body, headers).catch((error: Error) =>
      storeFailure(`the local DynamoDB store failed: ${error.message}`),
    );
  }

  /**
   * The answer of a memory table to a request naming it; undefined when the request is not for one, or the
   * table is served by dynalite (not created yet, or a key schema the memory table does not hold).
   */
  private async fromMemory(
    operation: string,
    body: Record<string, unknown>,
    headers: http.IncomingHttpHeaders,
  ): Promise<DynamoDbAnswer | undefined> {
    const tables = tablesNamed(body);
    const memory = tables.flatMap((name) => this.memoryTables.get(name) ?? []);
    if (memory.length === 0) return undefined;
    const [table] = memory as [DurableTable];
    if (tables.length > 1)
      return validation(
        `the local DynamoDB store holds ${table.name} apart from the other tables: ${operation} cannot name it together with ${tables.filter((t) => t !== table.name).join(', ')}`,
      );
    if (operation === 'CreateTable' || operation === 'DeleteTable') {
      const base = await this.storeUrl('dynamodb');
      if (!base) return unavailableAnswer('the local dynamodb store is not running');
      const call = (name: string, payload: unknown) => this.callDynamoDb(base, headers, name, payload);
      return table.change(operation, call, () => call(operation, body));
    }
    const route = await withDeadline(table.route(), this.options.holdMs ?? 30_000);
    if (route === undefined) return unavailableAnswer(`the local table ${table.name} is not open yet`);
    return route === 'memory' ? table.serve(operation, body) : undefined;
  }

  /** The key attribute names of a table (DescribeTable, once per table). */
  private keySchemaOf(
    table: string,
    call: (name: string, payload: unknown) => Promise<DynamoDbAnswer>,
  ): Promise<string[]> {
    let names = this.keySchemas.get(table);
    if (!names) {
      names = call('DescribeTable', { TableName: table }).then((answer) => {
        if (answer.status !== 200) throw new Error(`table ${table} not found`);
        const schema = (answer.payload.Table as { KeySchema: Array<{ AttributeName: string }> }).KeySchema;
        return schema.map((k) => k.AttributeName);
      });
      names.catch(() => this.keySchemas.delete(table));
      this.keySchemas.set(table, names);
    }
    return names;
  }

  /** One JSON call to the DynamoDB store with the client's credentials headers (dynalite checks none). */
  private callDynamoDb(
    base: string,
    headers: http.IncomingHttpHeaders,
    operation: string,
    payload: unknown,
  ): Promise<DynamoDbAnswer> {
    const body = Buffer.from(JSON.stringify(payload));
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        new URL('/', base),
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            ...pick(headers, ['authorization', 'x-amz-date', 'x-amz-security-token']),
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `DynamoDB_20120810.${operation}`,
            'content-length': body.length,
          },
        },
        (answer) =>
          void readAll(answer).then(
            (text) =>
              resolve({
                status: answer.statusCode ?? 500,
                payload: JSON.parse(text.toString('utf8') || '{}') as Record<string, unknown>,
              }),
            reject,
          ),
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
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
  send(response, unavailableAnswer(message));
}

function unavailableAnswer(message: string): DynamoDbAnswer {
  return { status: 503, payload: { __type: 'ServiceUnavailable', message } };
}

/** A DynamoDB JSON answer made here. */
function send(response: http.ServerResponse, answer: DynamoDbAnswer): void {
  response.writeHead(answer.status, answerHeaders(answer));
  response.end(JSON.stringify(answer.payload));
}

function answerHeaders(answer: DynamoDbAnswer): Record<string, string> {
  const type = String(answer.payload.__type ?? '');
  return {
    'content-type': 'application/x-amz-json-1.0',
    ...(type === 'ServiceUnavailable' ? { 'x-amzn-errortype': type } : {}),
  };
}

/** `promise`'s value, or undefined once `ms` passed. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
