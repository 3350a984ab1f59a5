/**
 * Custom-resource handler that turns on MSK multi-VPC private connectivity with IAM for the platform's
 * cluster, which Firehose's MSK source needs. MSK refuses it at cluster creation ("When creating a cluster,
 * all vpcConnectivity auth schemes must be disabled ... You can enable auth schemes after the cluster is
 * created", cloudformation-coverage-roadmap issue 1775): the cluster owner enables it with UpdateConnectivity
 * once the cluster is ACTIVE, a rolling broker update that "can take up to 30 minutes or more", during which
 * no other update of the cluster is accepted.
 * https://docs.aws.amazon.com/msk/latest/developerguide/mvpc-cluster-owner-action-turn-on.html
 *
 * It runs under the CDK provider framework with an isComplete handler, polled until it answers true:
 *   onEvent     returns the physical id; starts nothing (a cluster that is not ACTIVE yet cannot be updated)
 *   isComplete  Create/Update: cluster not ACTIVE → wait; IAM VPC connectivity on → done; otherwise call
 *               UpdateConnectivity with the cluster's current version and wait. A conflict (another update
 *               running, a stale version) is waited out too. Delete: done at once, connectivity stays on
 *               (the cluster is retained, and Firehose's VPC connections depend on it).
 * A second deployment with unchanged properties does not call the handler at all.
 */
import { DescribeClusterV2Command, KafkaClient, UpdateConnectivityCommand } from '@aws-sdk/client-kafka';

/** The custom resource's properties. */
export interface ConnectivityResourceProperties {
  ClusterArn: string;
}

/** The subset of a provider-framework event the handler reads. */
export interface ConnectivityEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResourceProperties: ConnectivityResourceProperties & { ServiceToken?: string };
  PhysicalResourceId?: string;
}

/** What DescribeClusterV2 says about the cluster, as far as this handler cares. */
export interface ClusterConnectivity {
  /** ACTIVE, CREATING, UPDATING, ... */
  state: string;
  currentVersion: string;
  /** Multi-VPC private connectivity with SASL/IAM is on. */
  iamVpcConnectivity: boolean;
}

/** The two MSK calls the handler makes; the real one is {@link mskConnectivityApi}. */
export interface ConnectivityApi {
  describe(clusterArn: string): Promise<ClusterConnectivity>;
  enableIam(clusterArn: string, currentVersion: string): Promise<void>;
}

export function onEventHandler(event: ConnectivityEvent): { PhysicalResourceId: string } {
  return { PhysicalResourceId: event.PhysicalResourceId ?? `${event.ResourceProperties.ClusterArn}/vpc-iam` };
}

/** One poll: true when IAM multi-VPC connectivity is on and the cluster is ACTIVE again. */
export async function connectivityComplete(
  api: ConnectivityApi,
  event: ConnectivityEvent,
  log: (message: string) => void = console.log,
): Promise<{ IsComplete: boolean }> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const arn = event.ResourceProperties.ClusterArn;
  const cluster = await api.describe(arn);
  if (cluster.state !== 'ACTIVE') {
    log(`cluster is ${cluster.state}; waiting for ACTIVE`);
    return { IsComplete: false };
  }
  if (cluster.iamVpcConnectivity) return { IsComplete: true };
  try {
    await api.enableIam(arn, cluster.currentVersion);
    log(`UpdateConnectivity started (version ${cluster.currentVersion}); MSK updates the brokers one by one`);
  } catch (error) {
    // Another operation started between the describe and the update, or the version moved on: poll again.
    if ((error as { name?: string }).name !== 'ConflictException') throw error;
    log(`UpdateConnectivity refused for now: ${(error as Error).message}`);
  }
  return { IsComplete: false };
}

/** {@link ConnectivityApi} over the AWS SDK. */
export function mskConnectivityApi(client = new KafkaClient({})): ConnectivityApi {
  return {
    async describe(clusterArn) {
      const { ClusterInfo: info } = await client.send(
        new DescribeClusterV2Command({ ClusterArn: clusterArn }),
      );
      const iam =
        info?.Provisioned?.BrokerNodeGroupInfo?.ConnectivityInfo?.VpcConnectivity?.ClientAuthentication?.Sasl
          ?.Iam?.Enabled;
      return {
        state: info?.State ?? 'UNKNOWN',
        currentVersion: info?.CurrentVersion ?? '',
        iamVpcConnectivity: iam === true,
      };
    },
    async enableIam(clusterArn, currentVersion) {
      await client.send(
        new UpdateConnectivityCommand({
          ClusterArn: clusterArn,
          CurrentVersion: currentVersion,
          ConnectivityInfo: {
            VpcConnectivity: { ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } },
          },
        }),
      );
    },
  };
}

export const onEvent = async (event: ConnectivityEvent) => onEventHandler(event);
export const isComplete = async (event: ConnectivityEvent) =>
  connectivityComplete(mskConnectivityApi(), event);
