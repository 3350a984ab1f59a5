/**
 * A tenant's HTTP ingest endpoint (`ingest:`): an API Gateway HTTP API with one route per tenant,
 * `POST /ingest/<tenant>/{topic}` (the path `stratus dev` serves), integrated with a platform Lambda
 * (functions/platform/ingest-handler.ts) that produces to MSK with the producer SDK. Per-tenant throttling is the
 * stage's default route throttling (one API per tenant); every request is access-logged as JSON.
 *
 * Authorization: `iam` — the route takes SigV4-signed requests (AWS_IAM), allowed by `execute-api:Invoke` on the
 * route; `apiKey` — a Lambda authorizer checks `Authorization: Bearer <key>` against a key this stack generates in
 * Secrets Manager (HTTP APIs have no API keys of their own).
 *
 * WAF: AWS WAF associates with REST APIs, CloudFront and load balancers, not with HTTP APIs
 * (https://docs.aws.amazon.com/waf/latest/developerguide/waf-chapter.html). To filter with WAF, put a CloudFront
 * distribution with a web ACL in front of the endpoint's URL (output `IngestUrl`); docs/producers.md shows how.
 */
import path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ingestFunctionName, ingestPath, tenantParameterPrefix } from '../core/naming.ts';
import type { IngestConfig } from '../ingest/ingest-config.ts';
import { BUNDLED_INGEST_CONFIG_FILE, INGEST_ENV } from '../ingest/ingest-env.ts';
import type { IngestSpec } from '../manifest/spec.ts';
import { consumerEsbuildOptions } from './consumer-bundling.ts';
import { consumerBundlingProps, writeFileCommand } from './consumer-bundling-props.ts';
import { placeInVpc } from './function-vpc.ts';

/** Properties of an {@link IngestEndpoint}. */
export interface IngestEndpointProps {
  /** Tenant name: the route is `/ingest/<tenant>/{topic}`. */
  readonly tenant: string;
  /** The manifest's `ingest:` (auth, throttling). */
  readonly ingest: IngestSpec;
  /** What the function validates and writes, bundled as a file (lib/ingest/ingest-config.ts). */
  readonly config: IngestConfig;
  /** Project root (bundling runs there). */
  readonly rootDir: string;
  /** Comma-separated SASL/IAM bootstrap brokers. */
  readonly bootstrapBrokers: string;
  /**
   * Subnets and security groups that reach the brokers.
   * @default - not in a VPC
   */
  readonly vpcConfig?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /**
   * Retention of the function's and the access logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Powertools log level of the function.
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /**
   * Lock file that marks the bundling project root.
   * @default '<rootDir>/package-lock.json'
   */
  readonly depsLockFilePath?: string;
}

/** API Gateway's HTTP API integration timeout is 30 s; the function answers 503 before it. */
const FUNCTION_TIMEOUT = Duration.seconds(25);
const ACK_DEADLINE_MS = 20_000;

export class IngestEndpoint extends Construct {
  readonly tenant: string;
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly function: nodejs.NodejsFunction;
  /** Base URL of the endpoint (`https://<api>.execute-api.<region>.amazonaws.com`). */
  readonly url: string;
  /** The generated API key (`auth: apiKey`). */
  readonly apiKey?: secretsmanager.Secret;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: IngestEndpointProps) {
    super(scope, id);
    const { tenant, ingest, config } = props;
    this.tenant = tenant;
    if (config.tenant !== tenant)
      throw new Error(`IngestEndpoint ${tenant}: config is tenant "${config.tenant}"'s`);
    if (config.topics.length === 0)
      throw new Error(`IngestEndpoint ${tenant}: config.topics must not be empty`);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const functionName = ingestFunctionName(tenant);
    const configText = `${JSON.stringify(config)}\n`;
    const esbuild = consumerEsbuildOptions('node24', props.rootDir, {
      qualityRules: config.topics.some((t) => t.quality.length > 0),
    });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName,
      description: `Stratus HTTP ingest of tenant ${tenant}: ${config.topics.map((t) => t.name).join(', ')}`,
      entry: path.join(props.rootDir, 'functions/platform/ingest-handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: FUNCTION_TIMEOUT,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: new logs.LogGroup(this, 'Logs', {
        logGroupName: `/aws/lambda/${functionName}`,
        retention,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      environment: {
        [INGEST_ENV.configFile]: BUNDLED_INGEST_CONFIG_FILE,
        [INGEST_ENV.kafkaBrokers]: props.bootstrapBrokers,
        [INGEST_ENV.kafkaAuth]: 'iam',
        [INGEST_ENV.deadlineMs]: String(ACK_DEADLINE_MS),
        POWERTOOLS_SERVICE_NAME: tenant,
        POWERTOOLS_METRICS_NAMESPACE: 'Stratus',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      projectRoot: props.rootDir,
      depsLockFilePath: props.depsLockFilePath ?? path.join(props.rootDir, 'package-lock.json'),
      // Bundled as a consumer function is (consumer-bundling.ts); the configuration (schemas included)
      // travels in the bundle.
      bundling: consumerBundlingProps(esbuild, props.rootDir, (_inputDir, outputDir) => [
        writeFileCommand(`${outputDir}/${BUNDLED_INGEST_CONFIG_FILE}`, configText),
      ]),
    });
    if (props.vpcConfig) placeInVpc(this.function, props.vpcConfig);

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: functionName,
      description: `Stratus HTTP ingest of tenant ${tenant} (${ingestPath(tenant, '{topic}')})`,
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // Per-tenant throttling: the stage's default route limits, one API per tenant.
      throttle: { rateLimit: ingest.throttle.rateLimit, burstLimit: ingest.throttle.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            principal: '$context.identity.userArn',
            route: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            requestLength: '$context.requestLength',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });

    let authorizer: apigwv2.IHttpRouteAuthorizer;
    if (ingest.auth === 'iam') authorizer = new authorizers.HttpIamAuthorizer();
    else {
      this.apiKey = new secretsmanager.Secret(this, 'ApiKey', {
        secretName: `stratus/${tenant}/ingest-api-key`,
        description: `API key of tenant ${tenant}'s HTTP ingest endpoint (Authorization: Bearer <key>)`,
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
      });
      const checker = new nodejs.NodejsFunction(this, 'Authorizer', {
        description: `Stratus HTTP ingest of tenant ${tenant}: API-key check`,
        entry: path.join(props.rootDir, 'functions/platform/ingest-authorizer.ts'),
        handler: 'handler',
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        timeout: Duration.seconds(10),
        logGroup: new logs.LogGroup(this, 'AuthorizerLogs', {
          retention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        environment: { [INGEST_ENV.apiKeySecret]: this.apiKey.secretArn },
        projectRoot: props.rootDir,
        depsLockFilePath: props.depsLockFilePath ?? path.join(props.rootDir, 'package-lock.json'),
        bundling: {
          format: nodejs.OutputFormat.CJS,
          target: 'node24',
          minify: true,
          externalModules: ['@aws-sdk/*'],
        },
      });
      this.apiKey.grantRead(checker);
      authorizer = new authorizers.HttpLambdaAuthorizer('ApiKey', checker, {
        authorizerName: `stratus-${tenant}-ingest-api-key`,
        responseTypes: [authorizers.HttpLambdaResponseType.SIMPLE],
        identitySource: ['$request.header.Authorization'],
        resultsCacheTtl: Duration.minutes(5),
      });
      new CfnOutput(Stack.of(this), 'IngestApiKeySecret', {
        description: 'Secrets Manager secret with the ingest API key (Authorization: Bearer <key>)',
        value: this.apiKey.secretArn,
      });
    }
    this.api.addRoutes({
      path: ingestPath(tenant, '{topic}'),
      methods: [apigwv2.HttpMethod.POST],
      integration: new integrations.HttpLambdaIntegration('Ingest', this.function, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
      authorizer,
    });

    this.url = this.api.apiEndpoint;
    new ssm.StringParameter(this, 'UrlParameter', {
      parameterName: `${tenantParameterPrefix(tenant)}/ingest/url`,
      stringValue: this.url,
      description: `Base URL of tenant ${tenant}'s HTTP ingest endpoint`,
    });
    new CfnOutput(Stack.of(this), 'IngestUrl', {
      description: `POST ${ingestPath(tenant, '<topic>')} here`,
      value: this.url,
    });
  }

  /** ARN of the route of one topic, for `execute-api:Invoke` (`auth: iam`). */
  routeArn(topicKey: string): string {
    return this.api.arnForExecuteApi('POST', ingestPath(this.tenant, topicKey), '$default');
  }
}
