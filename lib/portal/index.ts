/**
 * The portal: a web UI over the same sources as the CLI — the manifests (validated by `loadStratus`), the
 * lineage graph (lib/catalog), lib/ops (lag, DLQ, replay), lib/scaffold (`stratus new`) and the running
 * `stratus dev`'s metrics and control routes — served on its own port by `stratus portal` or `stratus dev`.
 *
 *   const portal = await startPortal({ rootDir, port: 9465, runtimeUrl: 'http://127.0.0.1:9464' });
 *   console.log(portal.url, portal.token);
 *   await portal.stop();
 */
import path from 'node:path';
import { awsClientConfig } from '../core/aws-client-config.ts';
import { createLakehouse } from '../local/sink/lakehouse.ts';
import { readTable } from '../local/sink/table-reader.ts';
import { opsKafka } from '../ops/shared/kafka-connection.ts';
import { localBrokers } from '../ops/shared/local-endpoints.ts';
import { findTenant } from '../ops/shared/target.ts';
import { PortalAccess } from './access.ts';
import { bundleFrontEnd } from './bundle.ts';
import { PortalHttp, PortalInputError } from './http.ts';
import { LiveState } from './live.ts';
import { applyOnboarding, parseOnboardForm, patchOf, planOnboarding } from './onboard.ts';
import { dlqList, dlqRedrive, dlqShow, ReplayJobs } from './operations.ts';
import { PortalProject } from './project.ts';
import { overview, tenantView } from './views.ts';

export interface PortalOptions {
  /** Project root (manifests, schemas, handlers). */
  rootDir: string;
  /** Platform config file, relative to `rootDir`. @default 'stratus.config.yaml' */
  configFile?: string;
  /** 0 picks a free port. */
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Let the portal onboard (write files), redrive and replay.
   * @default false
   */
  allowWrites?: boolean;
  /** The running `stratus dev`'s metrics/control server. @default from local.metricsPort */
  runtimeUrl?: string;
  /** Bootstrap brokers. @default KAFKA_BROKERS, else local.kafkaPort */
  brokers?: string[];
  /** AWS endpoint of the lakehouse. @default AWS_ENDPOINT_URL, else local.awsPort */
  awsEndpoint?: string;
  /** Time between live refreshes. @default 2000 */
  refreshMs?: number;
}

export interface Portal {
  /** `http://127.0.0.1:9465`. */
  url: string;
  /** The token changes need (and every request, beyond localhost); print it once. */
  token: string;
  /** The URL that signs a browser in: `<url>/?token=<token>`. */
  loginUrl: string;
  stop(): Promise<void>;
}

export async function startPortal(options: PortalOptions): Promise<Portal> {
  const host = options.host ?? '127.0.0.1';
  const project = new PortalProject({ rootDir: options.rootDir, configFile: options.configFile });
  const spec = () => project.load().spec;
  const { platform } = spec();
  const runtimeUrl = options.runtimeUrl ?? `http://127.0.0.1:${platform.local.metricsPort}`;
  const kafka = opsKafka({ brokers: options.brokers ?? localBrokers(platform), clientId: 'stratus-portal' });
  const awsEndpoint =
    options.awsEndpoint ?? process.env.AWS_ENDPOINT_URL ?? `http://127.0.0.1:${platform.local.awsPort}`;
  const lakehouse = createLakehouse({
    kind: 'aws',
    aws: awsClientConfig({ region: platform.region, endpoint: awsEndpoint }),
  });
  const live = new LiveState({ runtimeUrl, kafka, spec, intervalMs: options.refreshMs });
  const access = new PortalAccess({ host, allowWrites: options.allowWrites ?? false });
  const replays = new ReplayJobs();
  const assets = bundleFrontEnd();
  const http = new PortalHttp(access, assets);
  const query = (url: URL) => Object.fromEntries(url.searchParams);
  const body = (value: unknown) =>
    value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const tenantOf = (name: string) => findTenant(spec(), name);

  http
    .get(/^\/api\/session$/, ({ request }) => {
      const authenticated = access.authenticated(request);
      return {
        project: path.basename(project.rootDir),
        writes: access.allowWrites,
        authenticated,
        ...(authenticated ? { csrf: access.csrf } : {}),
        loopbackOnly: access.loopbackOnly,
      };
    })
    .get(/^\/api\/overview$/, () => {
      const { spec: current, errors } = project.load();
      return overview(current, errors, live);
    })
    .get(/^\/api\/tenants\/([^/]+)$/, ({ params }) => {
      const { spec: current, errors } = project.load();
      return tenantView(current, errors, tenantOf(params[0]!), live);
    })
    .get(/^\/api\/tenants\/([^/]+)\/sinks\/([^/]+)\/sample$/, async ({ params }) => {
      const tenant = tenantOf(params[0]!);
      const sink = tenant.sinks.find((candidate) => candidate.key === params[1]);
      if (!sink) throw new PortalInputError(`tenant ${tenant.name} has no sink "${params[1]}"`, 404);
      const request =
        sink.format === 'iceberg'
          ? lakehouse.readerRequest(sink.database, sink.table)
          : lakehouse.objectsReaderRequest(sink.prefix);
      try {
        return {
          reader: 'pyiceberg / pyarrow (read_table.py)',
          ...(await readTable({ ...request, limit: 20 })),
        };
      } catch (error) {
        // A table the sink has not committed yet is not an error of the page.
        return {
          reader: 'pyiceberg / pyarrow (read_table.py)',
          rowCount: 0,
          rows: [],
          unavailable: (error as Error).message,
        };
      }
    })
    .get(/^\/api\/tenants\/([^/]+)\/dlq$/, ({ params, url }) =>
      dlqList(kafka, spec(), params[0]!, query(url)),
    )
    .get(/^\/api\/tenants\/([^/]+)\/dlq\/(\d+:\d+)$/, ({ params }) =>
      dlqShow(kafka, spec(), params[0]!, params[1]!),
    )
    .post(/^\/api\/tenants\/([^/]+)\/dlq\/redrive$/, async ({ params, body: input }) => {
      const outcome = await dlqRedrive(kafka, spec(), params[0]!, body(input));
      if (!outcome.dryRun) void live.refresh();
      return outcome;
    })
    .get(/^\/api\/tenants\/([^/]+)\/consumers\/([^/]+)\/replay-plan$/, ({ params, url }) =>
      replays.plan(kafka, spec(), params[0]!, params[1]!, query(url)),
    )
    .post(/^\/api\/tenants\/([^/]+)\/consumers\/([^/]+)\/replay$/, ({ params, body: input }) =>
      replays.run(kafka, spec(), runtimeUrl, params[0]!, params[1]!, body(input)),
    )
    .get(/^\/api\/replays\/([\w-]+)$/, ({ params }) => replays.progress(params[0]!, live))
    .get(/^\/api\/onboard\/preview$/, ({ url }) =>
      planOnboarding(project.rootDir, project.configFile, parseOnboardForm(query(url))),
    )
    .get(/^\/api\/onboard\/patch$/, ({ url, response }) => {
      const form = parseOnboardForm(query(url));
      const plan = planOnboarding(project.rootDir, project.configFile, form);
      if (!plan.ok)
        throw new PortalInputError(
          `the change does not validate: ${plan.problems.map((p) => p.message).join('; ')}`,
          400,
          plan.problems,
        );
      response.writeHead(200, {
        'content-type': 'text/x-diff; charset=utf-8',
        'content-disposition': `attachment; filename="stratus-new-${form.kind}-${form.tenant}${form.name ? `-${form.name}` : ''}.patch"`,
        'cache-control': 'no-store',
      });
      response.end(patchOf(plan));
      return undefined;
    })
    .post(/^\/api\/onboard\/apply$/, ({ body: input }) =>
      applyOnboarding(project.rootDir, project.configFile, parseOnboardForm(body(input))),
    )
    .get(/^\/api\/events$/, ({ request, response }) => {
      // Server-sent events: the overview after every live refresh, until the page goes away.
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      const send = () => {
        const { spec: current, errors } = project.load();
        response.write(`event: overview\ndata: ${JSON.stringify(overview(current, errors, live))}\n\n`);
      };
      send();
      const unsubscribe = live.subscribe(send);
      request.on('close', unsubscribe);
      return undefined;
    });

  const url = await http.listen(options.port, host);
  live.start();
  await assets;
  return {
    url,
    token: access.token,
    loginUrl: `${url}/?token=${access.token}`,
    async stop() {
      await live.stop();
      await http.close();
    },
  };
}
