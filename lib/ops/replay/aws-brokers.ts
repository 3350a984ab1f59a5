/**
 * On AWS the brokers come from the consumer's own event-source mapping: its EventSourceArn is the MSK
 * cluster, whose IAM bootstrap brokers (port 9098) GetBootstrapBrokers returns
 * (https://docs.aws.amazon.com/msk/1.0/apireference/clusters-clusterarn-bootstrap-brokers.html).
 */
import { GetBootstrapBrokersCommand, type KafkaClient } from '@aws-sdk/client-kafka';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { OpsError } from '../shared/errors.ts';

export async function mskBrokersOfMapping(
  kafkaControl: KafkaClient,
  mapping: EventSourceMappingConfiguration,
): Promise<string[]> {
  const clusterArn = mapping.EventSourceArn;
  if (!clusterArn?.startsWith('arn:aws:kafka:'))
    throw new OpsError(
      `event-source mapping ${mapping.UUID} does not read an MSK cluster (${clusterArn}); pass --brokers`,
    );
  const brokers = await kafkaControl.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
  const list = brokers.BootstrapBrokerStringSaslIam;
  if (!list)
    throw new OpsError(
      `cluster ${clusterArn} has no IAM-authenticated listener; Stratus needs IAM access control`,
    );
  return list.split(',');
}
