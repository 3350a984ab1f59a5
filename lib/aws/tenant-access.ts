import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { glueDatabaseName, tenantResourcePrefix } from '../core/naming.ts';
import { mskResourceArn } from './platform-parameters.ts';

/** Properties of a {@link TenantAccess}. */
export interface TenantAccessProps {
  /** Tenant name; every topic, group, key and prefix granted must belong to it. */
  readonly tenant: string;
  /** ARN of the MSK cluster. */
  readonly clusterArn: string;
  /**
   * Name of the shared idempotency table; consumers get access to their own keys in it.
   * @default - no DynamoDB access is granted
   */
  readonly idempotencyTableName?: string;
  /**
   * Name of the lakehouse bucket; sinks get access to the tenant's prefix in it.
   * @default - no S3 access is granted
   */
  readonly lakehouseBucketName?: string;
  /**
   * Glue database of the tenant's tables.
   * @default glueDatabaseName(tenant)
   */
  readonly glueDatabase?: string;
  /**
   * Other tenants' topics (full names) their owners share with this tenant and its consumers read; the
   * only foreign names a grant may contain, and only for reading.
   * @default - none
   */
  readonly sharedTopics?: string[];
}

/** What one consumer function may touch. */
export interface ConsumerGrant {
  /** Full name of the topic it reads. */
  readonly sourceTopic: string;
  /** Its consumer group. */
  readonly groupId: string;
  /** Full names of the topics it writes (its output and the DLQ). */
  readonly writeTopics: string[];
  /**
   * Function name whose idempotency records it may read and write (`stratus-<tenant>-<consumer>`).
   * @default - no idempotency access
   */
  readonly idempotencyKeyPrefix?: string;
}

/** What one Firehose stream may touch. */
export interface SinkGrant {
  /** Full name of the topic it reads. */
  readonly sourceTopic: string;
  /** Glue table it writes (Iceberg) or reads its schema from (Parquet); none for JSON. */
  readonly table?: string;
}

/**
 * The tenant's IAM: every statement it writes names the tenant's own topics, groups, idempotency keys, S3
 * prefix and Glue database, and nothing with a wildcard that could reach another tenant. Topic and group ARNs
 * are exact names (`…:topic/<cluster>/<uuid>/payments.orders`), idempotency keys are constrained per function
 * with `dynamodb:LeadingKeys`, and S3 access is `<bucket>/<tenant>/*` (tenant names cannot contain '/', so
 * `pay/` never matches `pay-ments/`). The constructor-free grant methods refuse names outside the tenant,
 * except reads of the topics another tenant shares with this one (`sharedTopics`): read and describe only.
 * https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
 */
export class TenantAccess extends Construct {
  /** Role Firehose assumes for every sink of the tenant. */
  readonly firehoseRole: iam.Role;
  private readonly props: TenantAccessProps;
  private readonly database: string;
  /**
   * The Firehose role's one statement on the tenant's Glue tables: each Iceberg sink adds its table to it. One
   * statement per sink would repeat its Sid, which IAM requires unique within a policy (cfn-lint E3510; the
   * deployment of a tenant with two Iceberg sinks failed).
   */
  private glueTables?: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: TenantAccessProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{1,30}$/.test(props.tenant))
      throw new Error(`TenantAccess: tenant "${props.tenant}" is not a valid tenant name`);
    this.props = props;
    this.database = props.glueDatabase ?? glueDatabaseName(props.tenant);
    this.firehoseRole = new iam.Role(this, 'FirehoseRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Firehose delivery of tenant ${props.tenant}'s sinks`,
    });
  }

  /** ARN of one of the tenant's topics. */
  topicArn(topic: string): string {
    this.assertOwned('topic', topic);
    return mskResourceArn(this.props.clusterArn, 'topic', topic);
  }

  /**
   * ARN of a topic the tenant may read: one of its own, or one shared with it (`sharedTopics`). The ARN is
   * derived from the cluster ARN in SSM like the tenant's own, so the reader's stack never depends on the
   * owner's stack.
   */
  readableTopicArn(topic: string): string {
    if (this.props.sharedTopics?.includes(topic))
      return mskResourceArn(this.props.clusterArn, 'topic', topic);
    return this.topicArn(topic);
  }

  /** ARN of one of the tenant's consumer groups. */
  groupArn(group: string): string {
    this.assertOwned('group', group);
    return mskResourceArn(this.props.clusterArn, 'group', group);
  }

  /**
   * Grants a consumer function what its event-source mapping and its handler need: Connect, read of its
   * topic, its own group, write to its output and DLQ, and its own idempotency records.
   * https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html
   */
  grantConsumer(grantee: iam.IGrantable, grant: ConsumerGrant): void {
    const { clusterArn } = this.props;
    const statements = [
      new iam.PolicyStatement({
        sid: 'ClusterConnect',
        actions: [
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeClusterDynamicConfiguration',
          'kafka-cluster:WriteDataIdempotently',
        ],
        resources: [clusterArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadSourceTopic',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: [this.readableTopicArn(grant.sourceTopic)],
      }),
      new iam.PolicyStatement({
        sid: 'OwnConsumerGroup',
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: [this.groupArn(grant.groupId)],
      }),
    ];
    if (grant.writeTopics.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'WriteOutputAndDlq',
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
          resources: [...new Set(grant.writeTopics)].map((topic) => this.topicArn(topic)),
        }),
      );
    }
    if (grant.idempotencyKeyPrefix && this.props.idempotencyTableName) {
      const prefix = grant.idempotencyKeyPrefix;
      if (!prefix.startsWith(`stratus-${this.props.tenant}-`))
        throw new Error(
          `TenantAccess: idempotencyKeyPrefix "${prefix}" is not a function of tenant "${this.props.tenant}"`,
        );
      statements.push(
        new iam.PolicyStatement({
          sid: 'OwnIdempotencyRecords',
          actions: [
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            // COMPLETED marks and deletions of a batch (functions/sdk/idempotency-store.ts).
            'dynamodb:BatchWriteItem',
          ],
          resources: [this.tableArn()],
          // Powertools keys are `<function>#<hash>` or `<function>.<name>#<hash>`; consumer keys contain
          // neither '#' nor '.', so these two patterns match this function's records and no other's.
          // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}#*`, `${prefix}.*`] },
          },
        }),
      );
    }
    for (const statement of statements) grantee.grantPrincipal.addToPrincipalPolicy(statement);
  }

  /**
   * Grants a producer of the tenant's topics — a declared producer's role, the ingest endpoint's function — what
   * an idempotent producer needs and nothing else: Connect and WriteDataIdempotently on the cluster, DescribeTopic
   * and WriteData on exactly `topics` (the tenant's own; shares never grant writes). No read, no group, no admin.
   * https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html#kafka-actions
   */
  grantProducer(grantee: iam.IGrantable, topics: string[]): void {
    if (topics.length === 0)
      throw new Error(`TenantAccess ${this.props.tenant}: a producer writes at least one topic`);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ClusterConnectIdempotent',
        actions: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
        resources: [this.props.clusterArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnTopics',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: [...new Set(topics)].map((topic) => this.topicArn(topic)),
      }),
    );
  }

  /**
   * Grants the tenant's Firehose role what one MSK-sourced sink needs: read of its topic, the tenant's S3
   * prefix, and its Glue table. https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html
   */
  grantSink(grant: SinkGrant): void {
    const role = this.firehoseRole;
    const { clusterArn, tenant } = this.props;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'MskCluster',
        actions: ['kafka:DescribeCluster', 'kafka:DescribeClusterV2', 'kafka-cluster:Connect'],
        resources: [clusterArn],
      }),
    );
    // GetBootstrapBrokers has no resource type in IAM, so only Resource "*" grants it (Firehose's documented
    // role lists it with the cluster ARN, which IAM does not match). It returns broker addresses, no data.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedstreamingforapachekafka.html
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'MskBootstrapBrokers',
        actions: ['kafka:GetBootstrapBrokers'],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:ReadData',
        ],
        resources: [this.topicArn(grant.sourceTopic)],
      }),
    );
    // Firehose's documented MSK-source role describes consumer groups `group/<cluster>/<uuid>/*`: the name of
    // the group Firehose reads with is not documented, so it cannot be narrowed to the tenant. DescribeGroup
    // is read-only (group metadata and committed offsets); AlterGroup, which moves a group, is not granted.
    // https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FirehoseConsumerGroup',
        actions: ['kafka-cluster:DescribeGroup'],
        resources: [mskResourceArn(clusterArn, 'group', '*')],
      }),
    );
    if (this.props.lakehouseBucketName) {
      const bucketArn = Stack.of(this).formatArn({
        service: 's3',
        region: '',
        account: '',
        resource: this.props.lakehouseBucketName,
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'TenantPrefixObjects',
          actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: [`${bucketArn}/${tenant}/*`],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'TenantPrefixListing',
          actions: ['s3:ListBucket'],
          resources: [bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${tenant}/*`, `${tenant}/`] } },
        }),
      );
      // s3:prefix is a condition key of ListBucket only: on these two it is absent from the request, so a
      // statement conditioned on it never matches and Firehose would be denied. Firehose's documented role
      // grants them on the bucket without a condition; they reveal bucket metadata and in-progress upload
      // keys, not objects. https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'BucketLocationAndUploads',
          actions: ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
          resources: [bucketArn],
        }),
      );
    }
    if (grant.table) {
      const glueArn = (resource: string) =>
        Stack.of(this).formatArn({ service: 'glue', resource, resourceName: undefined });
      const table = glueArn(`table/${this.database}/${grant.table}`);
      if (this.glueTables) {
        this.glueTables.addResources(table);
      } else {
        this.glueTables = new iam.PolicyStatement({
          sid: 'TenantGlueTables',
          actions: [
            'glue:GetDatabase',
            'glue:GetTable',
            'glue:GetTableVersion',
            'glue:GetTableVersions',
            'glue:UpdateTable',
          ],
          resources: [glueArn('catalog'), glueArn(`database/${this.database}`), table],
        });
        role.addToPolicy(this.glueTables);
      }
    }
  }

  private tableArn(): string {
    return Stack.of(this).formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: this.props.idempotencyTableName,
    });
  }

  private assertOwned(kind: string, name: string): void {
    if (!name.startsWith(tenantResourcePrefix(this.props.tenant)))
      throw new Error(
        `TenantAccess: ${kind} "${name}" does not belong to tenant "${this.props.tenant}" (must start with "${tenantResourcePrefix(this.props.tenant)}")`,
      );
  }
}
