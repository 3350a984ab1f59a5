/**
 * A sink's `startFrom` in the words of a Kafka starting position, so the local sink and the lag reader agree
 * on where a sink without committed offsets begins. On AWS it is MSKSourceConfiguration.ReadFromTimestamp:
 * the epoch for `earliest`, unset for `latest` (the stream's activation), else the time.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_MSKSourceConfiguration.html
 */
export function sinkStartingPosition(
  startFrom: 'earliest' | 'latest' | 'timestamp',
): 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP' {
  return startFrom === 'earliest' ? 'TRIM_HORIZON' : startFrom === 'latest' ? 'LATEST' : 'AT_TIMESTAMP';
}
