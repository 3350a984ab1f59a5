/**
 * The Kafka configs a manifest topic becomes, as the admin API and AWS::MSK::Topic take them (string values).
 * One definition for the CDK, the MSK Serverless topic handler and the local runtime.
 */
export const TOPIC_CONFIG_NAMES = ['retention.ms', 'cleanup.policy'] as const;

export function topicConfigs(
  retentionMs: number,
  cleanupPolicy: 'delete' | 'compact',
): Record<string, string> {
  return { 'retention.ms': String(retentionMs), 'cleanup.policy': cleanupPolicy };
}
