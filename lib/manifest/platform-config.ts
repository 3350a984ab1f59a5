import { DEFAULT_COMPATIBILITY } from '../contracts/compatibility.ts';
import { FETCH_BAD_PORTS } from '../core/fetch-bad-ports.ts';
import { quote } from '../core/quote.ts';
import { readCompatibility } from './contracts.ts';
import type { ManifestError } from './errors.ts';
import { FieldReader } from './fields.ts';
import { resolvePolicies } from './policies.ts';
import type { PlatformSpec } from './spec.ts';
import type { YamlSource } from './yaml-source.ts';

const DAY_MS = 86_400_000;

/** Every default of `stratus.config.yaml`; the README's reference lists the same values. */
export const PLATFORM_DEFAULTS = {
  region: 'eu-west-1',
  tenantsDir: 'tenants',
  cluster: {
    mode: 'provisioned',
    name: 'stratus',
    kafkaVersion: '3.9.x',
    brokerNodes: 3,
    instanceType: 'kafka.m7g.large',
    volumeSizeGiB: 100,
  },
  governance: {
    maxPartitionsPerTopic: 64,
    maxPartitionsPerTenant: 256,
    maxRetentionMs: 30 * DAY_MS,
    requireOwners: true,
    requireCostCenter: false,
  },
  functions: { memoryMb: 512, timeoutMs: 60_000, logRetentionDays: 30, logLevel: 'INFO' },
  local: { kafkaPort: 9092, awsPort: 5055, metricsPort: 9464, portalPort: 9465, stateDir: '.stratus' },
  contracts: { compatibility: DEFAULT_COMPATIBILITY },
} as const;

const TOP_LEVEL = [
  'region',
  'account',
  'tenantsDir',
  'cluster',
  'governance',
  'functions',
  'local',
  'contracts',
] as const;
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
// CloudWatch Logs accepts only these retention periods (RetentionInDays).
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Resolve `stratus.config.yaml` (or the defaults when `source` is undefined). */
export function resolvePlatform(
  source: YamlSource | undefined,
  rootDir: string,
  errors: ManifestError[],
): PlatformSpec {
  const d = PLATFORM_DEFAULTS;
  if (!source) {
    return {
      file: '(defaults)',
      rootDir,
      region: d.region,
      cluster: { ...d.cluster },
      governance: { ...d.governance, policies: { requiredTags: [] } },
      tenantsDir: d.tenantsDir,
      functionDefaults: { ...d.functions },
      local: { ...d.local },
      defaultCompatibility: d.contracts.compatibility,
    };
  }
  const read = new FieldReader(source, errors);
  const root = read.mapping([], source.value ?? {}) ?? {};
  read.onlyKeys([], root, TOP_LEVEL);

  const cluster = read.mapping(['cluster'], root.cluster, { optional: true }) ?? {};
  read.onlyKeys(['cluster'], cluster, [
    'mode',
    'name',
    'arn',
    'kafkaVersion',
    'brokerNodes',
    'instanceType',
    'volumeSizeGiB',
    'vpcId',
  ]);
  const mode = read.oneOf(
    ['cluster', 'mode'],
    cluster.mode,
    ['provisioned', 'serverless', 'existing'],
    d.cluster.mode,
  );
  const arn = read.string(['cluster', 'arn'], cluster.arn, {
    optional: mode !== 'existing',
    pattern: /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9-]+\/[A-Za-z0-9-]+$/,
    hint: 'must be an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)',
  });
  const kafkaVersion =
    read.string(['cluster', 'kafkaVersion'], cluster.kafkaVersion, { optional: true }) ??
    d.cluster.kafkaVersion;
  // AWS::MSK::Topic needs Kafka 3.6.0 or later on the cluster.
  if (mode === 'provisioned' && !kafkaVersionAtLeast(kafkaVersion, 3, 6)) {
    read.fail(
      ['cluster', 'kafkaVersion'],
      `must be 3.6.0 or later for native MSK topics, got ${quote(kafkaVersion)}`,
    );
  }

  // Firehose reads MSK through multi-VPC private connectivity, which MSK does not offer on kafka.t3.small.
  // https://docs.aws.amazon.com/msk/latest/developerguide/aws-access-mult-vpc.html
  if (mode === 'provisioned' && cluster.instanceType === 'kafka.t3.small') {
    read.fail(
      ['cluster', 'instanceType'],
      'kafka.t3.small has no multi-VPC private connectivity, which the Firehose sinks need; use kafka.m7g.large or larger',
    );
  }

  const governance = read.mapping(['governance'], root.governance, { optional: true }) ?? {};
  read.onlyKeys(['governance'], governance, [
    'maxPartitionsPerTopic',
    'maxPartitionsPerTenant',
    'maxRetention',
    'requireOwners',
    'requireCostCenter',
    'policies',
    'quotas',
  ]);
  const quotaLimits = read.mapping(['governance', 'quotas'], governance.quotas, { optional: true }) ?? {};
  read.onlyKeys(['governance', 'quotas'], quotaLimits, ['maxProduce', 'maxConsume']);
  const rate = (key: 'maxProduce' | 'maxConsume') =>
    quotaLimits[key] === undefined
      ? undefined
      : read.size(['governance', 'quotas', key], quotaLimits[key], {
          min: 1024,
          max: 10 * 1024 ** 3,
          fallback: 0,
          label: '1KiB and 10GiB (bytes per second)',
        });

  const functions = read.mapping(['functions'], root.functions, { optional: true }) ?? {};
  read.onlyKeys(['functions'], functions, ['memory', 'timeout', 'logRetentionDays', 'logLevel']);
  const logRetentionDays = read.integer(['functions', 'logRetentionDays'], functions.logRetentionDays, {
    min: 1,
    max: 3653,
    fallback: d.functions.logRetentionDays,
  });
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    read.fail(
      ['functions', 'logRetentionDays'],
      `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }

  const contracts = read.mapping(['contracts'], root.contracts, { optional: true }) ?? {};
  read.onlyKeys(['contracts'], contracts, ['compatibility']);

  const local = read.mapping(['local'], root.local, { optional: true }) ?? {};
  read.onlyKeys(['local'], local, ['kafkaPort', 'awsPort', 'metricsPort', 'portalPort', 'stateDir']);
  const port = (key: 'kafkaPort' | 'awsPort' | 'metricsPort' | 'portalPort') =>
    read.integer(['local', key], local[key], { min: 1, max: 65_535, fallback: d.local[key] });

  return {
    file: source.file,
    rootDir,
    region:
      read.string(['region'], root.region, {
        optional: true,
        pattern: /^[a-z]{2}(-[a-z]+)+-\d$/,
        hint: 'is not an AWS region name',
      }) ?? d.region,
    account: read.string(['account'], root.account, {
      optional: true,
      pattern: /^\d{12}$/,
      hint: 'must be a 12-digit AWS account id',
    }),
    tenantsDir: read.string(['tenantsDir'], root.tenantsDir, { optional: true }) ?? d.tenantsDir,
    cluster: {
      mode,
      name:
        read.string(['cluster', 'name'], cluster.name, {
          optional: true,
          pattern: /^[a-zA-Z][a-zA-Z0-9-]{0,63}$/,
          hint: 'must be a valid MSK cluster name (letters, digits, "-")',
        }) ?? (mode === 'existing' && arn ? arn.split('/')[1]! : d.cluster.name),
      arn,
      kafkaVersion,
      brokerNodes: read.integer(['cluster', 'brokerNodes'], cluster.brokerNodes, {
        min: 2,
        max: 30,
        fallback: d.cluster.brokerNodes,
      }),
      instanceType:
        read.string(['cluster', 'instanceType'], cluster.instanceType, {
          optional: true,
          pattern: /^kafka\.[a-z0-9]+\.[a-z0-9]+$/,
          hint: 'must be an MSK broker type such as kafka.m7g.large',
        }) ?? d.cluster.instanceType,
      volumeSizeGiB: read.integer(['cluster', 'volumeSizeGiB'], cluster.volumeSizeGiB, {
        min: 1,
        max: 16_384,
        fallback: d.cluster.volumeSizeGiB,
      }),
      vpcId: read.string(['cluster', 'vpcId'], cluster.vpcId, {
        optional: true,
        pattern: /^vpc-[0-9a-f]{8,17}$/,
        hint: 'must be a VPC id (vpc-…)',
      }),
    },
    governance: {
      maxPartitionsPerTopic: read.integer(
        ['governance', 'maxPartitionsPerTopic'],
        governance.maxPartitionsPerTopic,
        {
          min: 1,
          max: 10_000,
          fallback: d.governance.maxPartitionsPerTopic,
        },
      ),
      maxPartitionsPerTenant: read.integer(
        ['governance', 'maxPartitionsPerTenant'],
        governance.maxPartitionsPerTenant,
        {
          min: 1,
          max: 100_000,
          fallback: d.governance.maxPartitionsPerTenant,
        },
      ),
      maxRetentionMs: read.duration(['governance', 'maxRetention'], governance.maxRetention, {
        min: 60_000,
        max: 3650 * DAY_MS,
        fallback: d.governance.maxRetentionMs,
        infinite: true,
        label: '1m and 3650d',
      }),
      requireOwners: read.boolean(
        ['governance', 'requireOwners'],
        governance.requireOwners,
        d.governance.requireOwners,
      ),
      requireCostCenter: read.boolean(
        ['governance', 'requireCostCenter'],
        governance.requireCostCenter,
        d.governance.requireCostCenter,
      ),
      policies: resolvePolicies(read, governance.policies),
      maxProduceBytesPerSecond: rate('maxProduce'),
      maxConsumeBytesPerSecond: rate('maxConsume'),
    },
    functionDefaults: {
      memoryMb: read.integer(['functions', 'memory'], functions.memory, {
        min: 128,
        max: 10_240,
        fallback: d.functions.memoryMb,
      }),
      timeoutMs: read.duration(['functions', 'timeout'], functions.timeout, {
        min: 1_000,
        max: 900_000,
        fallback: d.functions.timeoutMs,
        label: '1s and 15m',
      }),
      logRetentionDays,
      logLevel: read.oneOf(['functions', 'logLevel'], functions.logLevel, LOG_LEVELS, d.functions.logLevel),
    },
    local: {
      ...localPorts(read, local, port),
      stateDir: read.string(['local', 'stateDir'], local.stateDir, { optional: true }) ?? d.local.stateDir,
    },
    defaultCompatibility: readCompatibility(
      read,
      ['contracts', 'compatibility'],
      contracts.compatibility,
      d.contracts.compatibility,
    ),
  };
}

/**
 * The local ports, each distinct from the others and from the broker's controller port (`kafkaPort` + 1): two
 * parts of `stratus dev` on one port would fail at start with a message about the wrong one.
 */
function localPorts(
  read: FieldReader,
  local: Record<string, unknown>,
  port: (key: 'kafkaPort' | 'awsPort' | 'metricsPort' | 'portalPort') => number,
) {
  const ports = {
    kafkaPort: port('kafkaPort'),
    awsPort: port('awsPort'),
    metricsPort: port('metricsPort'),
    portalPort: port('portalPort'),
  };
  // Port → what holds it, and the key a user would change for it.
  const taken = new Map<number, { what: string; key: keyof typeof ports }>([
    [ports.kafkaPort + 1, { what: "the broker's controller port (kafkaPort + 1)", key: 'kafkaPort' }],
  ]);
  for (const key of ['kafkaPort', 'awsPort', 'metricsPort', 'portalPort'] as const) {
    const other = taken.get(ports[key]);
    if (other) {
      const at = key in local || !(other.key in local) ? key : other.key;
      read.fail(
        ['local', at],
        `port ${ports[key]} is both ${key} and ${other.what}; give each local port its own number`,
      );
    }
    taken.set(ports[key], { what: key, key });
  }
  // The broker speaks Kafka's protocol; the other three are reached with fetch, by browsers or by Node.
  for (const key of ['awsPort', 'metricsPort', 'portalPort'] as const)
    if (FETCH_BAD_PORTS.has(ports[key]))
      read.fail(
        ['local', key],
        `port ${ports[key]} is one browsers and Node's fetch refuse to connect to (the Fetch standard's blocked ports), and Stratus reaches ${key} with fetch; choose another`,
      );
  return ports;
}

function kafkaVersionAtLeast(version: string, major: number, minor: number): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [vMajor, vMinor] = [Number(match[1]), Number(match[2])];
  return vMajor > major || (vMajor === major && vMinor >= minor);
}
