/**
 * Why a broker did not start, read from the last lines of its log: the handful of causes seen on developer
 * machines, each with what to do about it. The patterns are the messages Kafka 4.x and the JVM print.
 */
export interface BrokerDiagnosis {
  kind: 'port' | 'storage' | 'memory' | 'java' | 'unknown';
  /** One sentence: the cause and the remedy. */
  cause: string;
}

export function diagnoseBrokerFailure(
  log: string,
  context: { port: number; controllerPort: number; heapMb: number },
): BrokerDiagnosis {
  if (/Address already in use|BindException/i.test(log)) {
    const port = /:(\d+)\b[^\n]*Address already in use|Address already in use[^\n]*:(\d+)/.exec(log);
    const which = port?.[1] ?? port?.[2];
    return {
      kind: 'port',
      cause: `a port is taken (${which ? `port ${which}` : `port ${context.port} or controller port ${context.controllerPort}`}): another broker or program listens there; stop it or change local.kafkaPort`,
    };
  }
  if (
    /OutOfMemoryError|Cannot allocate memory|insufficient memory|Could not reserve enough space|Java heap space|os::commit_memory/i.test(
      log,
    )
  ) {
    return {
      kind: 'memory',
      cause: `not enough memory for the broker's ${context.heapMb} MiB heap; free memory (close other brokers or test runs) and try again`,
    };
  }
  if (
    /doesn't match|Invalid cluster\.id|InconsistentClusterIdException|No readable meta\.properties|not formatted|Unsupported metadata\.version|MetadataVersion .* is not supported/i.test(
      log,
    )
  ) {
    return {
      kind: 'storage',
      cause:
        'the storage directory does not match this broker (formatted with another cluster id, node id or Kafka version); `stratus dev --reset` formats it again (it deletes the local topics and offsets)',
    };
  }
  if (/UnsupportedClassVersionError|has been compiled by a more recent version/i.test(log)) {
    return {
      kind: 'java',
      cause: 'Java is too old for Kafka 4: install Java 17 or newer (or set JAVA_HOME)',
    };
  }
  return {
    kind: 'unknown',
    cause: 'not recognised from the log; read the lines below and the full log',
  };
}
