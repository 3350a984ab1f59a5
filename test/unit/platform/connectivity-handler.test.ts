/**
 * The custom resource that turns on MSK multi-VPC connectivity once the cluster is ACTIVE. MSK's rolling update
 * (ACTIVE → UPDATING for 30 minutes or more → ACTIVE) cannot run here and moto has no UpdateConnectivity, so
 * the cluster is a scripted fake that behaves as MSK documents: UpdateConnectivity only on an ACTIVE cluster
 * with its current version, ConflictException otherwise, the setting visible once the update is done.
 * https://docs.aws.amazon.com/msk/latest/developerguide/mvpc-cluster-owner-action-turn-on.html
 */
import { describe, expect, it } from 'vitest';
import {
  type ClusterConnectivity,
  type ConnectivityApi,
  type ConnectivityEvent,
  connectivityComplete,
  onEventHandler,
} from '../../../functions/platform/connectivity-handler.ts';

const ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/0a1b2c3d-3';

/** A cluster that is CREATING for `creatingPolls` describes, and takes `updatePolls` describes to update. */
function fakeCluster(options: { creatingPolls?: number; updatePolls?: number; iam?: boolean } = {}) {
  let state: ClusterConnectivity = {
    state: options.creatingPolls ? 'CREATING' : 'ACTIVE',
    currentVersion: 'K1',
    iamVpcConnectivity: options.iam ?? false,
  };
  let creating = options.creatingPolls ?? 0;
  let updating = -1;
  const calls: string[] = [];
  const api: ConnectivityApi = {
    async describe(arn) {
      expect(arn).toBe(ARN);
      calls.push('describe');
      if (creating > 0 && --creating === 0) state = { ...state, state: 'ACTIVE' };
      if (updating > 0 && --updating === 0)
        state = { state: 'ACTIVE', currentVersion: 'K2', iamVpcConnectivity: true };
      return state;
    },
    async enableIam(arn, version) {
      expect(arn).toBe(ARN);
      calls.push(`update@${version}`);
      if (state.state !== 'ACTIVE' || version !== state.currentVersion)
        throw Object.assign(new Error('The cluster is not ACTIVE or the version is stale'), {
          name: 'ConflictException',
        });
      state = { ...state, state: 'UPDATING' };
      updating = options.updatePolls ?? 3;
    },
  };
  return { api, calls };
}

const event = (RequestType: ConnectivityEvent['RequestType']): ConnectivityEvent => ({
  RequestType,
  ResourceProperties: { ClusterArn: ARN },
  PhysicalResourceId: RequestType === 'Create' ? undefined : `${ARN}/vpc-iam`,
});

async function pollUntilComplete(api: ConnectivityApi, e: ConnectivityEvent, max = 20): Promise<number> {
  for (let poll = 1; poll <= max; poll++)
    if ((await connectivityComplete(api, e, () => {})).IsComplete) return poll;
  throw new Error('never completed');
}

describe('functions/platform/connectivity-handler.ts', () => {
  it('waits for ACTIVE, calls UpdateConnectivity once with the current version, completes when it is on', async () => {
    const { api, calls } = fakeCluster({ creatingPolls: 2, updatePolls: 3 });
    const polls = await pollUntilComplete(api, event('Create'));
    expect(calls.filter((c) => c.startsWith('update'))).toEqual(['update@K1']);
    // 2 describes while CREATING, 1 that starts the update, 2 while UPDATING, 1 that sees it on.
    expect(polls).toBe(5);
  });

  it('is done at once when connectivity is already on (a second deploy, an existing cluster)', async () => {
    const { api, calls } = fakeCluster({ iam: true });
    expect(await pollUntilComplete(api, event('Update'))).toBe(1);
    expect(calls).toEqual(['describe']);
  });

  it('waits out a conflict (another operation started in between) instead of failing the deploy', async () => {
    const { api, calls } = fakeCluster();
    let first = true;
    const racing: ConnectivityApi = {
      describe: api.describe,
      async enableIam(arn, version) {
        if (first) {
          first = false;
          throw Object.assign(new Error('Another operation is in progress'), { name: 'ConflictException' });
        }
        return api.enableIam(arn, version);
      },
    };
    expect(await pollUntilComplete(racing, event('Create'))).toBeGreaterThan(2);
    expect(calls.filter((c) => c.startsWith('update'))).toEqual(['update@K1']);
  });

  it('fails the deploy on any other error (missing permission, wrong cluster)', async () => {
    const { api } = fakeCluster();
    const denied: ConnectivityApi = {
      describe: api.describe,
      enableIam: async () => {
        throw Object.assign(new Error('not authorized to perform kafka:UpdateConnectivity'), {
          name: 'ForbiddenException',
        });
      },
    };
    await expect(connectivityComplete(denied, event('Create'), () => {})).rejects.toThrow(
      /UpdateConnectivity/,
    );
  });

  it('leaves connectivity on when the resource is deleted, and keeps one physical id', async () => {
    const { api, calls } = fakeCluster();
    expect(await connectivityComplete(api, event('Delete'), () => {})).toEqual({ IsComplete: true });
    expect(calls).toEqual([]);
    expect(onEventHandler(event('Create'))).toEqual({ PhysicalResourceId: `${ARN}/vpc-iam` });
    expect(onEventHandler(event('Update'))).toEqual({ PhysicalResourceId: `${ARN}/vpc-iam` });
  });
});
