import { Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PLATFORM_STACK_NAME } from '../core/naming.ts';
import type { PlatformSpec, TenantSpec } from '../manifest/spec.ts';
import { MskVpcConnectivity } from './msk-connectivity.ts';
import { mskClusterName, PLATFORM_PARAMETERS } from './platform-parameters.ts';

/** Port of MSK's SASL/IAM listener inside the VPC. */
export const MSK_IAM_PORT = 9098;

/** Properties of a {@link PlatformStack}. */
export interface PlatformStackProps extends StackProps {
  /** The resolved platform config. */
  readonly platform: PlatformSpec;
  /** Every tenant (not only those being synthesized): each gets its Glue database here. */
  readonly tenants: TenantSpec[];
}

/**
 * `Stratus-Platform`: the shared cluster and everything tenants build on — VPC, MSK (Provisioned with IAM
 * and TLS by default, Serverless, or an existing cluster), the lakehouse bucket, a Glue database per tenant,
 * the idempotency table, the alarm topic and the overview dashboard. It publishes the facts tenant stacks
 * need as SSM parameters ({@link PLATFORM_PARAMETERS}).
 */
export class PlatformStack extends Stack {
  readonly vpc: ec2.IVpc;
  readonly clientSecurityGroup: ec2.SecurityGroup;
  readonly clusterArn: string;
  readonly bucket: s3.Bucket;
  readonly idempotencyTable: dynamodb.Table;
  readonly alarmTopic: sns.Topic;
  readonly glueDatabases = new Map<string, glue.CfnDatabase>();

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, {
      stackName: PLATFORM_STACK_NAME,
      description: 'Stratus platform: shared MSK cluster, lakehouse bucket, idempotency table, alarms',
      ...props,
    });
    const { platform } = props;
    const cluster = platform.cluster;
    Tags.of(this).add('stratus:component', 'platform');

    // Network. Brokers spread evenly over the client subnets, so the AZ count must divide the broker count.
    const azCount = cluster.brokerNodes % 3 === 0 ? 3 : 2;
    if (cluster.mode === 'provisioned' && cluster.brokerNodes % azCount !== 0)
      throw new Error(
        `PlatformStack: cluster.brokerNodes (${cluster.brokerNodes}) must be a multiple of 2 or 3`,
      );
    if (cluster.vpcId) {
      this.vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: cluster.vpcId });
    } else {
      const vpc = new ec2.Vpc(this, 'Vpc', {
        availabilityZones: ['a', 'b', 'c'].slice(0, azCount).map((suffix) => `${platform.region}${suffix}`),
        natGateways: 1,
        subnetConfiguration: [
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        ],
      });
      vpc.addFlowLog('FlowLog', {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(
          new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        ),
      });
      this.vpc = vpc;
    }
    const subnets = this.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: this.vpc,
      description: 'Stratus tenant functions: clients of the MSK cluster',
      allowAllOutbound: true,
    });
    // The brokers' group is also the group of the Kafka event-source mappings' network interfaces, which Lambda
    // creates in the cluster's subnets with the cluster's security group. Outbound traffic is open, said in the
    // template rather than left to EC2's default: a group created without egress rules gets allow-all, and a
    // separate AWS::EC2::SecurityGroupEgress (what CDK emits for a security-group peer) does not remove it, so a
    // "self only" rule restricted nothing. Lambda documents both forms; in provisioned mode (every Stratus
    // mapping, kafka-consumer.ts) the mapping needs no NAT gateway or Lambda/STS endpoints either way.
    // https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
    const brokerSecurityGroup = new ec2.SecurityGroup(this, 'BrokerSecurityGroup', {
      vpc: this.vpc,
      description: 'Stratus MSK brokers and Kafka event-source mappings: SASL/IAM from Stratus clients only',
      allowAllOutbound: true,
    });
    brokerSecurityGroup.addIngressRule(
      this.clientSecurityGroup,
      ec2.Port.tcp(MSK_IAM_PORT),
      'Kafka SASL/IAM from clients',
    );
    brokerSecurityGroup.addIngressRule(brokerSecurityGroup, ec2.Port.allTcp(), 'Brokers and mapping ENIs');

    const { arn, ready } = this.createCluster(platform, subnets.subnetIds, brokerSecurityGroup);
    this.clusterArn = arn;

    // Bootstrap brokers are not an attribute of AWS::MSK::Cluster; ask the API once per deployment.
    const brokers = new cr.AwsCustomResource(this, 'BootstrapBrokers', {
      onUpdate: {
        service: 'Kafka',
        action: 'getBootstrapBrokers',
        parameters: { ClusterArn: this.clusterArn },
        physicalResourceId: cr.PhysicalResourceId.of(`${PLATFORM_STACK_NAME}-bootstrap-brokers`),
        outputPaths: ['BootstrapBrokerStringSaslIam'],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        // GetBootstrapBrokers has no resource type in IAM: a statement naming the cluster never matches it.
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedstreamingforapachekafka.html
        new iam.PolicyStatement({ actions: ['kafka:GetBootstrapBrokers'], resources: ['*'] }),
      ]),
      installLatestAwsSdk: false,
      logGroup: new logs.LogGroup(this, 'BootstrapBrokersLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });

    // Lakehouse: one bucket, one prefix per tenant (`<tenant>/`), one Glue database per tenant.
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    });
    this.bucket = new s3.Bucket(this, 'Lakehouse', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'lakehouse/',
    });
    // Nested under one scope so the logical ids carry a path hash: top-level ids drop '-', and tenants
    // "pay-ments" and "payments" would both become "GlueDatabasepayments".
    const databases = new Construct(this, 'GlueDatabases');
    for (const tenant of props.tenants) {
      this.glueDatabases.set(
        tenant.name,
        new glue.CfnDatabase(databases, tenant.name, {
          catalogId: this.account,
          databaseInput: {
            name: tenant.glueDatabase,
            description: `Stratus tenant ${tenant.name}`,
            locationUri: `s3://${this.bucket.bucketName}/${tenant.name}/`,
          },
        }),
      );
    }

    // Idempotency records of every consumer; tenants reach only their own keys (dynamodb:LeadingKeys).
    this.idempotencyTable = new dynamodb.Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const alarmKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Stratus alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarm notifications to an encrypted topic only if it may use the key.
    alarmKey.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Stratus alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: [this.alarmTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    const parameter = (id: string, name: string, value: string) =>
      new ssm.StringParameter(this, id, { parameterName: name, stringValue: value });
    // Tenant stacks resolve these two when they deploy: they appear only once the cluster is ready for
    // Firehose (multi-VPC connectivity on, cluster policy set), so a tenant deployed too early fails at once
    // ("parameter not found") instead of creating streams that cannot connect.
    for (const dependent of [
      brokers,
      parameter('ClusterArnParameter', PLATFORM_PARAMETERS.clusterArn, this.clusterArn),
      parameter(
        'BootstrapBrokersParameter',
        PLATFORM_PARAMETERS.bootstrapBrokers,
        brokers.getResponseField('BootstrapBrokerStringSaslIam'),
      ),
    ])
      for (const step of ready) dependent.node.addDependency(step);
    new ssm.StringListParameter(this, 'SubnetIdsParameter', {
      parameterName: PLATFORM_PARAMETERS.subnetIds,
      stringListValue: subnets.subnetIds,
    });
    parameter(
      'ClientSecurityGroupParameter',
      PLATFORM_PARAMETERS.clientSecurityGroupId,
      this.clientSecurityGroup.securityGroupId,
    );
    parameter('LakehouseBucketParameter', PLATFORM_PARAMETERS.lakehouseBucketName, this.bucket.bucketName);
    parameter(
      'IdempotencyTableParameter',
      PLATFORM_PARAMETERS.idempotencyTableName,
      this.idempotencyTable.tableName,
    );
    parameter('AlarmTopicParameter', PLATFORM_PARAMETERS.alarmTopicArn, this.alarmTopic.topicArn);

    this.overviewDashboard(platform, props.tenants);
  }

  private createCluster(
    platform: PlatformSpec,
    subnetIds: string[],
    securityGroup: ec2.ISecurityGroup,
  ): { arn: string; ready: Construct[] } {
    const cluster = platform.cluster;
    if (cluster.mode === 'existing') return { arn: cluster.arn!, ready: [] };
    const iamAuth = { sasl: { iam: { enabled: true } } };
    let arn: string;
    const ready: Construct[] = [];
    if (cluster.mode === 'serverless') {
      const serverless = new msk.CfnServerlessCluster(this, 'Cluster', {
        clusterName: cluster.name,
        clientAuthentication: iamAuth,
        vpcConfigs: [{ subnetIds, securityGroups: [securityGroup.securityGroupId] }],
      });
      arn = serverless.attrArn;
    } else {
      const brokerLogs = new logs.LogGroup(this, 'BrokerLogs', { retention: logs.RetentionDays.ONE_MONTH });
      const provisioned = new msk.CfnCluster(this, 'Cluster', {
        clusterName: cluster.name,
        kafkaVersion: cluster.kafkaVersion,
        numberOfBrokerNodes: cluster.brokerNodes,
        brokerNodeGroupInfo: {
          instanceType: cluster.instanceType,
          clientSubnets: subnetIds,
          securityGroups: [securityGroup.securityGroupId],
          storageInfo: { ebsStorageInfo: { volumeSize: cluster.volumeSizeGiB } },
          // No connectivityInfo.vpcConnectivity here: MSK rejects enabled VPC-connectivity auth schemes at
          // creation. MskVpcConnectivity turns IAM on once the cluster is ACTIVE (see below).
        },
        // IAM only, TLS everywhere. https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
        clientAuthentication: { ...iamAuth, unauthenticated: { enabled: false } },
        encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
        // Per-topic metrics for records in/out and DLQ growth on tenant dashboards.
        enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
        loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } } },
      });
      provisioned.applyRemovalPolicy(RemovalPolicy.RETAIN);
      arn = provisioned.attrArn;
      // Firehose reads MSK through multi-VPC private connectivity with IAM, which needs the cluster ACTIVE;
      // the cluster policy comes after it (no other cluster update is accepted while it is applied).
      // https://docs.aws.amazon.com/firehose/latest/dev/writing-with-msk.html
      ready.push(new MskVpcConnectivity(this, 'VpcConnectivity', { clusterArn: arn }));
    }
    // Firehose's service principal may create its VPC connection and look the cluster up.
    const policy = new msk.CfnClusterPolicy(this, 'ClusterPolicy', {
      clusterArn: arn,
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'FirehoseMskSource',
            Effect: 'Allow',
            Principal: { Service: 'firehose.amazonaws.com' },
            Action: [
              'kafka:CreateVpcConnection',
              'kafka:GetBootstrapBrokers',
              'kafka:DescribeCluster',
              'kafka:DescribeClusterV2',
            ],
            Resource: arn,
          },
        ],
      },
    });
    for (const step of ready) policy.node.addDependency(step);
    ready.push(policy);
    return { arn, ready };
  }

  private overviewDashboard(platform: PlatformSpec, tenants: TenantSpec[]): void {
    const clusterName = mskClusterName(this.clusterArn);
    const kafka = (metricName: string, statistic: string) =>
      new cloudwatch.MathExpression({
        expression: `SUM(SEARCH('{AWS/Kafka,"Broker ID","Cluster Name"} MetricName="${metricName}" "Cluster Name"="${clusterName}"', '${statistic}', 300))`,
        label: metricName,
        period: Duration.minutes(5),
      });
    const dashboard = new cloudwatch.Dashboard(this, 'Overview', { dashboardName: 'Stratus-Platform' });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Stratus platform\nCluster \`${platform.cluster.name}\` (${platform.cluster.mode}) · ${tenants.length} tenant(s): ${tenants.map((t) => `\`${t.name}\``).join(', ')}`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Cluster throughput (bytes/s)',
        left: [kafka('BytesInPerSec', 'Average'), kafka('BytesOutPerSec', 'Average')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Broker CPU (user %) and partitions',
        left: [kafka('CpuUser', 'Maximum')],
        right: [kafka('PartitionCount', 'Maximum')],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda: concurrent executions and throttles (all functions)',
        left: [
          new cloudwatch.Metric({
            namespace: 'AWS/Lambda',
            metricName: 'ConcurrentExecutions',
            statistic: 'Maximum',
          }),
        ],
        right: [
          new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Throttles', statistic: 'Sum' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Idempotency table: writes and throttled requests',
        left: [this.idempotencyTable.metricConsumedWriteCapacityUnits()],
        right: [this.idempotencyTable.metric('ThrottledRequests', { statistic: 'Sum' })],
        width: 12,
      }),
    );
  }
}
