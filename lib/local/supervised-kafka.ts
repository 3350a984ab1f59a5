/**
 * The runtime's broker: the embedded Kafka under a Supervisor (restarted on the same ports and data after it
 * died, so clients reconnect to the address they know), or the external one of KAFKA_BROKERS, which is not
 * ours to restart.
 */
import { type KafkaBroker, type KafkaBrokerOptions, startEmbeddedKafka, startKafka } from './kafka-broker.ts';
import { type Availability, Supervisor } from './supervisor.ts';

export interface SupervisedKafka {
  brokers: string[];
  embedded: boolean;
  /** The broker's process now (undefined while it restarts, or for an external broker). */
  current(): KafkaBroker | undefined;
  restarts(): number;
  stop(): Promise<void>;
}

export async function startSupervisedKafka(
  options: KafkaBrokerOptions & { log: (line: string) => void; availability?: Availability },
): Promise<SupervisedKafka> {
  if (process.env.KAFKA_BROKERS) {
    const broker = await startKafka(options);
    return {
      brokers: broker.brokers,
      embedded: false,
      current: () => undefined,
      restarts: () => 0,
      stop: broker.stop,
    };
  }
  let ports = { port: options.port, controllerPort: options.controllerPort ?? options.port + 1 };
  let restart = false;
  const supervisor = await Supervisor.start<KafkaBroker>({
    name: 'Kafka',
    log: options.log,
    // Ctrl-C while the broker starts: the JVM is stopped and the start rejects.
    signal: options.signal,
    start: async (signal) => {
      // A restart keeps the ports clients know: no moving to new ones after a clash then.
      const broker = await startEmbeddedKafka({
        ...options,
        ...ports,
        pickPorts: restart ? undefined : options.pickPorts,
        signal,
      });
      ports = broker.ports ?? ports;
      restart = true;
      return broker;
    },
    onDown: () => options.availability?.markDown('Kafka'),
    onRestarted: () => options.availability?.markUp('Kafka'),
  });
  return {
    brokers: supervisor.current!.brokers,
    embedded: true,
    current: () => supervisor.current,
    restarts: () => supervisor.restarts,
    stop: () => supervisor.stop(),
  };
}
