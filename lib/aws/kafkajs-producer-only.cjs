/**
 * `kafkajs` for consumer function bundles: the package's public entry (kafkajs 2.2.4 index.js and src/index.js)
 * without the consumer and the admin client, which a function never creates — it only produces outputs and dead
 * letters. lib/aws/consumer-bundling.ts aliases `kafkajs` to this file when esbuild bundles a consumer function;
 * everything else (cluster, broker, protocol, producer, partitioners, errors) is kafkajs' own code, required
 * from the installed package by path, because the alias also rewrites `kafkajs/...` specifiers.
 *
 * The `Client` below is kafkajs' `src/index.js` Client with `consumer()` and `admin()` replaced by errors.
 * kafkajs is MIT licensed, Copyright (c) 2018 Túlio Ornelas, Eduardo Dornelas (node_modules/kafkajs/LICENSE).
 * test/cdk/consumer-bundling.test.ts fails when the installed kafkajs is not the version copied here.
 */
const {
  createLogger,
  LEVELS: { INFO },
  LEVELS,
} = require('../../node_modules/kafkajs/src/loggers');
const InstrumentationEventEmitter = require('../../node_modules/kafkajs/src/instrumentation/emitter');
const LoggerConsole = require('../../node_modules/kafkajs/src/loggers/console');
const Cluster = require('../../node_modules/kafkajs/src/cluster');
const createProducer = require('../../node_modules/kafkajs/src/producer');
const defaultSocketFactory = require('../../node_modules/kafkajs/src/network/socketFactory');
const once = require('../../node_modules/kafkajs/src/utils/once');
const websiteUrl = require('../../node_modules/kafkajs/src/utils/websiteUrl');
const Partitioners = require('../../node_modules/kafkajs/src/producer/partitioners');
const Compression = require('../../node_modules/kafkajs/src/protocol/message/compression');
const ConfigResourceTypes = require('../../node_modules/kafkajs/src/protocol/configResourceTypes');
const ConfigSource = require('../../node_modules/kafkajs/src/protocol/configSource');
const AclResourceTypes = require('../../node_modules/kafkajs/src/protocol/aclResourceTypes');
const AclOperationTypes = require('../../node_modules/kafkajs/src/protocol/aclOperationTypes');
const AclPermissionTypes = require('../../node_modules/kafkajs/src/protocol/aclPermissionTypes');
const ResourcePatternTypes = require('../../node_modules/kafkajs/src/protocol/resourcePatternTypes');
const { isRebalancing, isKafkaJSError, ...errors } = require('../../node_modules/kafkajs/src/errors');

/** The kafkajs version this file copies its Client from. */
const KAFKAJS_VERSION = '2.2.4';

const PRIVATE = {
  CREATE_CLUSTER: Symbol('private:Kafka:createCluster'),
  CLUSTER_RETRY: Symbol('private:Kafka:clusterRetry'),
  LOGGER: Symbol('private:Kafka:logger'),
  OFFSETS: Symbol('private:Kafka:offsets'),
};

const DEFAULT_METADATA_MAX_AGE = 300000;
const warnOfDefaultPartitioner = once((logger) => {
  if (process.env.KAFKAJS_NO_PARTITIONER_WARNING == null) {
    logger.warn(
      `KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning behavior as in previous versions, create the producer with the option "createPartitioner: Partitioners.LegacyPartitioner". See the migration guide at ${websiteUrl(
        'docs/migration-guide-v2.0.0',
        'producer-new-default-partitioner',
      )} for details. Silence this warning by setting the environment variable "KAFKAJS_NO_PARTITIONER_WARNING=1"`,
    );
  }
});

const notBundled = (what) => {
  throw new Error(
    `kafkajs ${what} is not in Stratus consumer function bundles (lib/aws/kafkajs-producer-only.cjs): functions only produce`,
  );
};

class Client {
  constructor({
    brokers,
    ssl,
    sasl,
    clientId,
    connectionTimeout = 1000,
    authenticationTimeout,
    reauthenticationThreshold,
    requestTimeout,
    enforceRequestTimeout = true,
    retry,
    socketFactory = defaultSocketFactory(),
    logLevel = INFO,
    logCreator = LoggerConsole,
  }) {
    this[PRIVATE.OFFSETS] = new Map();
    this[PRIVATE.LOGGER] = createLogger({ level: logLevel, logCreator });
    this[PRIVATE.CLUSTER_RETRY] = retry;
    this[PRIVATE.CREATE_CLUSTER] = ({
      metadataMaxAge,
      allowAutoTopicCreation = true,
      maxInFlightRequests = null,
      instrumentationEmitter = null,
      isolationLevel,
    }) =>
      new Cluster({
        logger: this[PRIVATE.LOGGER],
        retry: this[PRIVATE.CLUSTER_RETRY],
        offsets: this[PRIVATE.OFFSETS],
        socketFactory,
        brokers,
        ssl,
        sasl,
        clientId,
        connectionTimeout,
        authenticationTimeout,
        reauthenticationThreshold,
        requestTimeout,
        enforceRequestTimeout,
        metadataMaxAge,
        instrumentationEmitter,
        allowAutoTopicCreation,
        maxInFlightRequests,
        isolationLevel,
      });
  }

  producer({
    createPartitioner,
    retry,
    metadataMaxAge = DEFAULT_METADATA_MAX_AGE,
    allowAutoTopicCreation,
    idempotent,
    transactionalId,
    transactionTimeout,
    maxInFlightRequests,
  } = {}) {
    const instrumentationEmitter = new InstrumentationEventEmitter();
    const cluster = this[PRIVATE.CREATE_CLUSTER]({
      metadataMaxAge,
      allowAutoTopicCreation,
      maxInFlightRequests,
      instrumentationEmitter,
    });

    if (createPartitioner == null) {
      warnOfDefaultPartitioner(this[PRIVATE.LOGGER]);
    }

    return createProducer({
      retry: { ...this[PRIVATE.CLUSTER_RETRY], ...retry },
      logger: this[PRIVATE.LOGGER],
      cluster,
      createPartitioner,
      idempotent,
      transactionalId,
      transactionTimeout,
      instrumentationEmitter,
    });
  }

  consumer() {
    return notBundled('consumer()');
  }

  admin() {
    return notBundled('admin()');
  }

  logger() {
    return this[PRIVATE.LOGGER];
  }
}

// kafkajs' index.js exports, less PartitionAssigners and AssignerProtocol (consumer group code).
module.exports = {
  Kafka: Client,
  Partitioners,
  logLevel: LEVELS,
  CompressionTypes: Compression.Types,
  CompressionCodecs: Compression.Codecs,
  ConfigResourceTypes,
  AclResourceTypes,
  AclOperationTypes,
  AclPermissionTypes,
  ResourcePatternTypes,
  ConfigSource,
  ...errors,
  KAFKAJS_VERSION,
};
