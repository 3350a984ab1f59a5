/**
 * Kafka client quotas over the wire protocol: AlterClientQuotas (API key 49) and DescribeClientQuotas (48),
 * version 0, which kafkajs does not implement. One short-lived connection per call, PLAINTEXT to the local
 * broker or TLS + SASL OAUTHBEARER with an MSK IAM token on AWS (the same token kafkajs sends). Used by the
 * local runtime and by the platform's quota custom resource, so both set quotas with the same code.
 * https://kafka.apache.org/protocol#The_Messages_AlterClientQuotas ,
 * https://kafka.apache.org/protocol#The_Messages_DescribeClientQuotas
 * On MSK these need kafka-cluster:AlterClusterDynamicConfiguration / DescribeClusterDynamicConfiguration on the
 * cluster (Kafka's ALTER_CONFIGS / DESCRIBE_CONFIGS on CLUSTER):
 * https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html
 */
import net from 'node:net';
import tls from 'node:tls';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';

/** Kafka's quota keys for byte rates (bytes per second per broker). */
export type QuotaKey = 'producer_byte_rate' | 'consumer_byte_rate';

export interface ClientQuota {
  /** The client id the quota applies to. */
  clientId: string;
  /** Values to set; a key with `null` is removed. */
  values: Partial<Record<QuotaKey, number | null>>;
}

export interface QuotaConnection {
  /** `host:port` of any broker (KRaft brokers forward the change to the controller). */
  broker: string;
  /** @default 'plaintext' */
  auth?: 'iam' | 'plaintext';
  /** Region of the MSK IAM token (with `auth: 'iam'`). */
  region?: string;
  /** @default 15_000 */
  timeoutMs?: number;
}

const API = { saslHandshake: 17, describeClientQuotas: 48, alterClientQuotas: 49, saslAuthenticate: 36 };

class Writer {
  private readonly parts: Buffer[] = [];
  int8(v: number) {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.push(b);
  }
  int16(v: number) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.push(b);
  }
  int32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.push(b);
  }
  float64(v: number) {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return this.push(b);
  }
  bool(v: boolean) {
    return this.int8(v ? 1 : 0);
  }
  string(v: string | null) {
    if (v === null) return this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    return this.int16(bytes.length).push(bytes);
  }
  bytes(v: Buffer) {
    return this.int32(v.length).push(v);
  }
  array<T>(items: readonly T[], each: (item: T) => void) {
    this.int32(items.length);
    for (const item of items) each(item);
    return this;
  }
  push(b: Buffer) {
    this.parts.push(b);
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}
  int8() {
    return this.buffer.readInt8(this.at++);
  }
  int16() {
    const v = this.buffer.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  int32() {
    const v = this.buffer.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  float64() {
    const v = this.buffer.readDoubleBE(this.at);
    this.at += 8;
    return v;
  }
  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const v = this.buffer.toString('utf8', this.at, this.at + length);
    this.at += length;
    return v;
  }
  bytes(): Buffer {
    const length = this.int32();
    const v = this.buffer.subarray(this.at, this.at + Math.max(length, 0));
    this.at += Math.max(length, 0);
    return v;
  }
  array<T>(each: () => T): T[] {
    const length = this.int32();
    return Array.from({ length: Math.max(length, 0) }, each);
  }
}

/** One connection: request/response with v0 (non-flexible) headers, correlation ids in order. */
class KafkaWire {
  private socket!: net.Socket;
  private correlation = 0;
  private pending = Buffer.alloc(0);
  private waiters: Array<{ resolve: (b: Buffer) => void; reject: (e: Error) => void }> = [];

  static async open(connection: QuotaConnection): Promise<KafkaWire> {
    const wire = new KafkaWire();
    const [host, port] = splitBroker(connection.broker);
    const timeout = connection.timeoutMs ?? 15_000;
    wire.socket = await new Promise<net.Socket>((resolve, reject) => {
      const socket =
        connection.auth === 'iam'
          ? tls.connect({ host, port, servername: host }, () => resolve(socket))
          : net.connect({ host, port }, () => resolve(socket));
      socket.setTimeout(timeout, () =>
        socket.destroy(new Error(`${connection.broker} did not answer in ${timeout} ms`)),
      );
      socket.once('error', reject);
    });
    wire.socket.on('data', (chunk: Buffer) => wire.receive(chunk));
    wire.socket.on('error', (error) => wire.failAll(error));
    wire.socket.on('close', () => wire.failAll(new Error(`${connection.broker} closed the connection`)));
    if (connection.auth === 'iam') await wire.authenticate(connection);
    return wire;
  }

  async request(apiKey: number, body: Buffer): Promise<Reader> {
    const correlationId = ++this.correlation;
    const header = new Writer().int16(apiKey).int16(0).int32(correlationId).string('stratus-quotas').build();
    const size = Buffer.alloc(4);
    size.writeInt32BE(header.length + body.length);
    const response = new Promise<Buffer>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.socket.write(Buffer.concat([size, header, body]));
    const reader = new Reader(await response);
    if (reader.int32() !== correlationId) throw new Error('Kafka answered out of order');
    return reader;
  }

  close(): void {
    this.waiters = [];
    this.socket.destroy();
  }

  /** SASL OAUTHBEARER with the MSK IAM token (RFC 7628 client-first message). */
  private async authenticate(connection: QuotaConnection): Promise<void> {
    if (!connection.region) throw new Error('a region is needed to sign MSK IAM tokens');
    const handshake = await this.request(API.saslHandshake, new Writer().string('OAUTHBEARER').build());
    const handshakeError = handshake.int16();
    if (handshakeError !== 0) throw new Error(`SASL handshake refused (Kafka error ${handshakeError})`);
    const { token } = await generateAuthToken({ region: connection.region });
    const message = Buffer.from(`n,,\u0001auth=Bearer ${token}\u0001\u0001`, 'utf8');
    const auth = await this.request(API.saslAuthenticate, new Writer().bytes(message).build());
    const code = auth.int16();
    const text = auth.string();
    if (code !== 0) throw new Error(`SASL authentication failed (Kafka error ${code}): ${text ?? ''}`);
  }

  private receive(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (this.pending.length < 4 + size) return;
      const frame = this.pending.subarray(4, 4 + size);
      this.pending = this.pending.subarray(4 + size);
      this.waiters.shift()?.resolve(frame);
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}

function splitBroker(broker: string): [string, number] {
  const colon = broker.lastIndexOf(':');
  if (colon <= 0) throw new Error(`"${broker}" is not host:port`);
  return [broker.slice(0, colon), Number(broker.slice(colon + 1))];
}

async function withWire<T>(connection: QuotaConnection, run: (wire: KafkaWire) => Promise<T>): Promise<T> {
  const wire = await KafkaWire.open(connection);
  try {
    return await run(wire);
  } finally {
    wire.close();
  }
}

/** Sets (or removes, with `null`) client-id quotas; throws naming the client ids Kafka refused. */
export async function alterClientQuotas(
  connection: QuotaConnection,
  quotas: readonly ClientQuota[],
): Promise<void> {
  const changes = quotas.filter((q) => Object.keys(q.values).length > 0);
  if (changes.length === 0) return;
  const writer = new Writer();
  writer.array(changes, (quota) => {
    writer.array([quota.clientId], (name) => writer.string('client-id').string(name));
    writer.array(Object.entries(quota.values), ([key, value]) =>
      writer
        .string(key)
        .float64(value ?? 0)
        .bool(value === null || value === undefined),
    );
  });
  writer.bool(false); // validate_only
  const response = await withWire(connection, (wire) => wire.request(API.alterClientQuotas, writer.build()));
  response.int32(); // throttle_time_ms
  const refused = response
    .array(() => {
      const code = response.int16();
      const message = response.string();
      const entity = response.array(() => `${response.string()}=${response.string()}`);
      return { code, message, entity: entity.join(',') };
    })
    .filter((entry) => entry.code !== 0);
  if (refused.length > 0)
    throw new Error(
      `Kafka refused the quotas of ${refused.map((r) => `${r.entity} (error ${r.code}${r.message ? `: ${r.message}` : ''})`).join('; ')}`,
    );
}

/** The quotas set on exactly these client ids (ids without quotas are absent). */
export async function describeClientQuotas(
  connection: QuotaConnection,
  clientIds: readonly string[],
): Promise<Map<string, Partial<Record<QuotaKey, number>>>> {
  const out = new Map<string, Partial<Record<QuotaKey, number>>>();
  await withWire(connection, async (wire) => {
    for (const clientId of clientIds) {
      // One exact-match component per request: client-id = <id>, strict.
      const writer = new Writer();
      writer.array([clientId], (id) => writer.string('client-id').int8(0).string(id));
      writer.bool(true);
      const response = await wire.request(API.describeClientQuotas, writer.build());
      response.int32(); // throttle_time_ms
      const code = response.int16();
      const message = response.string();
      if (code !== 0)
        throw new Error(
          `Kafka refused to describe the quotas of ${clientId} (error ${code}: ${message ?? ''})`,
        );
      response.array(() => {
        response.array(() => [response.string(), response.string()]);
        const values = Object.fromEntries(
          response.array(() => [response.string() ?? '', response.float64()]),
        );
        out.set(clientId, values);
      });
    }
  });
  return out;
}
