/**
 * The runtime's AWS gateways, by address, for the execution environments of the same process: a DynamoDB request
 * for a table the gateway holds itself (the idempotency table) can be handed to it over the worker's message port
 * (function-host/held-table-transport.ts) instead of a loopback HTTP connection. The request and the answer are
 * the same bytes either way; what the port saves is the HTTP client and server work on both sides, which cost as
 * much CPU as the table itself on the idempotency hot path.
 */

/** A signed AWS request as the SDK would send it: its X-Amz-Target, headers and JSON body. */
export interface InProcessRequest {
  target: string;
  headers: Record<string, string>;
  body: string;
}

/** The HTTP answer the gateway would have written. */
export interface InProcessAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface InProcessAnswerer {
  /** Names of the tables answered in process (the environments send only requests that name one). */
  readonly heldTables: string[];
  /** The answer, or undefined when the request is not one the gateway answers itself: send it over HTTP. */
  answerInProcess(request: InProcessRequest): Promise<InProcessAnswer | undefined>;
}

const answerers = new Map<string, InProcessAnswerer>();

/** `host:port` of an endpoint URL, as an SDK request names it (hostname and port). */
export function endpointAddress(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.port === '' ? undefined : `${parsed.hostname}:${parsed.port}`;
  } catch {
    return undefined;
  }
}

/** Makes `answerer` reachable at `url`'s address; returns the function that removes it. */
export function registerInProcessAnswerer(url: string, answerer: InProcessAnswerer): () => void {
  const address = endpointAddress(url)!;
  answerers.set(address, answerer);
  return () => {
    if (answerers.get(address) === answerer) answerers.delete(address);
  };
}

/** The gateway of this process at `address` (`host:port`), if one runs here. */
export function inProcessAnswerer(address: string): InProcessAnswerer | undefined {
  return answerers.get(address);
}
