/**
 * The pause/resume seam of a replay: the only step that differs between the local runtime and AWS.
 *
 * - Locally, the running `stratus dev` runtime is asked over its HTTP control routes (mounted on the metrics
 *   server, see `consumerControlRoutes`) to stop the consumer's event-source emulator; when no runtime
 *   answers, there is nothing to pause and the replay's empty-group check decides.
 * - On AWS, the consumer's Kafka event-source mapping is disabled and polled until Lambda reports it
 *   `Disabled` (its pollers have left the consumer group), then enabled again afterwards.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type EventSourceMappingConfiguration,
  GetEventSourceMappingCommand,
  type LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { controlAuthHeaders } from '../local/control-token.ts';
import { OpsError } from './shared/errors.ts';

/** A paused consumer; `resume` puts it back the way `pause` found it. */
export interface PausedConsumer {
  /** One line for the operator: what was paused and how. */
  note: string;
  resume(): Promise<void>;
}

export interface ConsumerControl {
  /** What this control acts on, for the plan and error messages. */
  readonly description: string;
  /** Stops delivery to the consumer; resolves once the platform says it has stopped. */
  pause(): Promise<PausedConsumer>;
}

// ───────────────────────────── local: the `stratus dev` runtime ─────────────────────────────

/** Path of the control routes: `POST /control/consumers/<group-id>/pause` and `…/resume`. */
export const CONTROL_ROUTE_PREFIX = '/control/consumers/';

export interface LocalConsumerControlOptions {
  /** Consumer group id, `<tenant>.<consumer>`: the runtime's key for the consumer. */
  groupId: string;
  /** Base URL of the runtime's metrics/health server, e.g. `http://127.0.0.1:9464`. */
  runtimeUrl: string;
  /**
   * The running runtime's control token (`readControlToken(statePaths(platform).controlToken)`); undefined when
   * no runtime has written one, and then a runtime that answers refuses the request.
   */
  token?: string;
  /** Where the token was read from, for the message when the runtime refuses it. */
  tokenFile?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Body of a control route's answer. */
export interface ControlRouteAnswer {
  groupId: string;
  state: 'paused' | 'running';
  /** Process id of the runtime, for messages. */
  pid: number;
}

export function localConsumerControl(options: LocalConsumerControlOptions): ConsumerControl {
  const doFetch = options.fetch ?? fetch;
  const base = options.runtimeUrl.replace(/\/$/, '');
  const url = (action: 'pause' | 'resume') =>
    `${base}${CONTROL_ROUTE_PREFIX}${encodeURIComponent(options.groupId)}/${action}`;
  const call = async (action: 'pause' | 'resume') => {
    try {
      return await doFetch(url(action), {
        method: 'POST',
        headers: options.token ? controlAuthHeaders(options.token) : {},
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      return undefined; // nothing listens: no runtime is running
    }
  };
  return {
    description: `the \`stratus dev\` runtime at ${base}`,
    async pause() {
      const response = await call('pause');
      if (!response)
        return {
          note: `no \`stratus dev\` runtime answers at ${base}; the group must have no active members`,
          resume: async () => {},
        };
      if (response.status === 404)
        return {
          note: `the runtime at ${base} does not run ${options.groupId}; the group must have no active members`,
          resume: async () => {},
        };
      if (response.status === 401 || response.status === 403)
        throw new OpsError(
          `the \`stratus dev\` runtime at ${base} refused the control request (HTTP ${response.status}: ${await errorOf(response)}); ${
            options.token
              ? `the token in ${options.tokenFile ?? 'the state directory'} is not this runtime's: is it running from this project (same local.stateDir)?`
              : `no control token in ${options.tokenFile ?? 'the state directory'}: is that runtime running from this project (same local.stateDir)?`
          } Nothing was changed`,
        );
      if (!response.ok)
        throw new OpsError(
          `consumer ${options.groupId} is running in \`stratus dev\` at ${base} and could not be paused (HTTP ${response.status}: ${(await response.text()).slice(0, 200)}); nothing was changed`,
        );
      const answer = (await response.json()) as ControlRouteAnswer;
      return {
        note: `paused ${options.groupId} in \`stratus dev\` (pid ${answer.pid})`,
        async resume() {
          const resumed = await call('resume');
          if (!resumed?.ok)
            throw new OpsError(
              `could not resume ${options.groupId} in \`stratus dev\` (pid ${answer.pid}); restart \`stratus dev\` to resume it`,
            );
        },
      };
    },
  };
}

async function errorOf(response: Response): Promise<string> {
  const text = await response.text();
  try {
    return String((JSON.parse(text) as { error?: unknown }).error ?? text).slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/** What the runtime registers per consumer for the control routes: its event-source emulator. */
export interface ControllableConsumer {
  /** Stops delivery and leaves the consumer group (Kafka resets offsets of empty groups only). */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

/**
 * The control routes, for the runtime to mount on its metrics/health server: returns true when it answered
 * the request. `lookup` finds a running consumer by group id.
 */
export function consumerControlRoutes(
  lookup: (groupId: string) => ControllableConsumer | undefined,
): (request: IncomingMessage, response: ServerResponse) => Promise<boolean> {
  return async (request, response) => {
    const match = /^\/control\/consumers\/([^/]+)\/(pause|resume)$/.exec(request.url ?? '');
    if (!match) return false;
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST') {
      send(405, { error: 'use POST' });
      return true;
    }
    const groupId = decodeURIComponent(match[1] ?? '');
    const consumer = lookup(groupId);
    if (!consumer) {
      send(404, { error: `no consumer ${groupId} runs here` });
      return true;
    }
    try {
      if (match[2] === 'pause') await consumer.pause();
      else await consumer.resume();
      const answer: ControlRouteAnswer = {
        groupId,
        state: match[2] === 'pause' ? 'paused' : 'running',
        pid: process.pid,
      };
      send(200, answer);
    } catch (error) {
      send(500, { error: error instanceof Error ? error.message : String(error) });
    }
    return true;
  };
}

// ───────────────────────────── AWS: the Lambda event-source mapping ─────────────────────────────

export interface AwsConsumerControlOptions {
  lambda: LambdaClient;
  /** The consumer's function, `consumerFunctionName(tenant, consumer)`. */
  functionName: string;
  /** Full topic name; picks the function's mapping that reads it. */
  topic: string;
  /**
   * Time between GetEventSourceMapping polls.
   * @default 5000
   */
  pollIntervalMs?: number;
  /**
   * Polls before giving up on a state change. Disabling a Kafka mapping takes up to a few minutes.
   * @default 120
   */
  maxPolls?: number;
  /** Waits between polls; tests pass one that does not wait. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** The function's mapping that reads `topic`; an error that says what exists when there is none. */
export async function findEventSourceMapping(
  lambda: LambdaClient,
  functionName: string,
  topic: string,
): Promise<EventSourceMappingConfiguration> {
  const mappings: EventSourceMappingConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: functionName, Marker: marker }),
    );
    mappings.push(...(page.EventSourceMappings ?? []));
    marker = page.NextMarker;
  } while (marker);
  const matching = mappings.filter((mapping) => mapping.Topics?.includes(topic));
  if (matching.length === 1 && matching[0]) return matching[0];
  if (matching.length > 1)
    throw new OpsError(
      `function ${functionName} has ${matching.length} event-source mappings for ${topic} (${matching.map((m) => m.UUID).join(', ')}); Stratus deploys one — fix the stack first; nothing was changed`,
    );
  throw new OpsError(
    `function ${functionName} has no event-source mapping for topic ${topic}${mappings.length > 0 ? ` (its mappings read: ${mappings.flatMap((m) => m.Topics ?? []).join(', ')})` : ''}; is the tenant deployed? Nothing was changed`,
  );
}

/**
 * Pauses by disabling the mapping. Lambda stops polling and resumes "from the time it had stopped" once
 * enabled again (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html); for Kafka
 * that position is the consumer group's committed offset, which is what the replay resets in between. States:
 * Creating, Enabling, Enabled, Disabling, Disabled, Updating, Deleting
 * (https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html).
 */
export function awsConsumerControl(options: AwsConsumerControlOptions): ConsumerControl {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const waitForState = async (uuid: string, wanted: 'Enabled' | 'Disabled') => {
    const maxPolls = options.maxPolls ?? 120;
    let state: string | undefined;
    for (let poll = 0; poll < maxPolls; poll++) {
      const mapping = await options.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      state = mapping.State;
      if (state === wanted) return;
      await sleep(options.pollIntervalMs ?? 5_000);
    }
    throw new OpsError(
      `event-source mapping ${uuid} of ${options.functionName} is still ${state} after ${maxPolls} checks (waiting for ${wanted})`,
    );
  };
  return {
    description: `the event-source mapping of ${options.functionName} for ${options.topic}`,
    async pause() {
      const mapping = await findEventSourceMapping(options.lambda, options.functionName, options.topic);
      const uuid = mapping.UUID ?? '';
      if (mapping.State === 'Disabled')
        return {
          note: `event-source mapping ${uuid} was already disabled; left disabled`,
          resume: async () => {},
        };
      if (mapping.State !== 'Enabled')
        throw new OpsError(
          `event-source mapping ${uuid} of ${options.functionName} is ${mapping.State}; wait until it is Enabled or Disabled. Nothing was changed`,
        );
      await options.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
      await waitForState(uuid, 'Disabled');
      return {
        note: `disabled event-source mapping ${uuid} of ${options.functionName}`,
        async resume() {
          await options.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
          await waitForState(uuid, 'Enabled');
        },
      };
    },
  };
}
