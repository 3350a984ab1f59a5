/**
 * Hot reload for `stratus dev`: watches the manifests, the schemas and the handlers' directories of the running
 * tenants; on a change it validates again and applies only what changed (see plan.ts). An invalid edit (a
 * manifest that does not validate, a handler that does not build) keeps the running version and prints why.
 * Reloads run one at a time; edits made meanwhile are picked up by the next one.
 */
import path from 'node:path';
import { checkHandlerBuilds, formatHandlerBuildProblems } from '../../manifest/handler-build.ts';
import { formatManifestError, loadStratus } from '../../manifest/index.ts';
import type { TenantSpec } from '../../manifest/spec.ts';
import type { Runtime } from '../runtime.ts';
import { describeTopicChanges, provisionTopics } from '../topics.ts';
import { planReload } from './plan.ts';
import { watchDirectories } from './watch.ts';

export interface HotReloadOptions {
  runtime: Runtime;
  rootDir: string;
  configFile?: string;
  /** The tenants `stratus dev` runs (by name); undefined: every tenant, new ones included. */
  tenants?: readonly string[];
  say: (line: string) => void;
}

export interface HotReload {
  /** Resolves when the reloads started so far are done (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startHotReload(options: HotReloadOptions): HotReload {
  const { runtime, rootDir, say } = options;
  let current: TenantSpec[] = runtime.tenants;
  let platform = loadStratus({ rootDir, configFile: options.configFile }).spec.platform;
  const selected = (tenants: readonly TenantSpec[]) =>
    options.tenants ? tenants.filter((t) => options.tenants!.includes(t.name)) : [...tenants];
  const watchedDirs = (tenants: readonly TenantSpec[]) =>
    new Set([
      path.resolve(rootDir, platform.tenantsDir),
      ...tenants.flatMap((t) => [
        ...t.consumers.map((c) => path.dirname(path.resolve(rootDir, c.handlerFile))),
        ...t.topics.flatMap((topic) =>
          topic.schemaFile ? [path.dirname(path.resolve(rootDir, topic.schemaFile))] : [],
        ),
      ]),
    ]);

  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  const reload = async (files: string[], editedAt: number) => {
    if (stopped) return;
    const { spec, errors } = loadStratus({ rootDir, configFile: options.configFile });
    const mine = new Set(selected(spec.tenants).map((t) => t.file));
    const relevant = errors.filter(
      (e) =>
        mine.has(e.file) ||
        !e.file.startsWith(`${platform.tenantsDir}/`) ||
        files.some((f) => path.relative(rootDir, f) === e.file),
    );
    if (relevant.length > 0) {
      say(`hot reload: the edit does not validate; the running version stays:`);
      for (const error of relevant) say(`  ${formatManifestError(error)}`);
      return;
    }
    platform = spec.platform;
    const next = selected(spec.tenants);
    const plan = planReload(current, next, files, rootDir);

    const admin = runtime.kafka.admin();
    await admin.connect();
    try {
      for (const line of describeTopicChanges(await provisionTopics(admin, plan.topics)))
        say(`hot reload: ${line}`);
    } finally {
      await admin.disconnect();
    }
    for (const groupId of plan.stop) {
      await runtime.stopConsumer(groupId);
      say(`hot reload: stopped consumer ${groupId} (removed from the manifest)`);
    }
    for (const { tenant, consumer, changed } of plan.restart) {
      await runtime.stopConsumer(consumer.groupId);
      await runtime.startConsumer(tenant, consumer);
      say(`hot reload: restarted consumer ${consumer.groupId} with its new settings (${changed.join(', ')})`);
    }
    for (const { tenant, consumer } of plan.start) {
      await runtime.startConsumer(tenant, consumer);
      say(`hot reload: started consumer ${consumer.groupId}`);
    }
    for (const { groupId, because } of plan.replace) {
      const runner = runtime.consumer(groupId) as
        | { replaceFunction?: () => Promise<{ firstRecord: Promise<number> }> }
        | undefined;
      if (!runner?.replaceFunction) continue;
      // New code that does not build would fail every invocation (its records retried, then dead-lettered):
      // like an invalid manifest edit, it is reported and the running version stays.
      const consumer = next.flatMap((t) => t.consumers).find((c) => c.groupId === groupId);
      const problems = consumer ? await checkHandlerBuilds(rootDir, consumer.handlerFile) : [];
      if (problems.length > 0) {
        say(`hot reload: ${groupId}: the handler does not build; the running version stays:`);
        for (const line of formatHandlerBuildProblems(problems).split('\n')) say(`  ${line}`);
        continue;
      }
      const swapStarted = Date.now();
      const { firstRecord } = await runner.replaceFunction();
      say(
        `hot reload: ${groupId}: new execution environments (${because}); the old ones finished their batches in ${Date.now() - swapStarted} ms`,
      );
      void firstRecord.then((at) =>
        say(
          `hot reload: ${groupId}: first record processed by the new code ${((at - editedAt) / 1000).toFixed(2)}s after the edit`,
        ),
      );
    }
    for (const what of plan.notApplied)
      say(`hot reload: ${what} changed; sinks take the change at the next start of stratus dev`);
    current = next;
    watcher.set(watchedDirs(current));
  };

  const watcher = watchDirectories((files, editedAt) => {
    chain = chain.then(() =>
      reload(files, editedAt).catch((error: Error) =>
        say(`hot reload failed: ${error.message}; the running version stays`),
      ),
    );
  });
  watcher.set(watchedDirs(current));
  return {
    idle: () => chain,
    async stop() {
      stopped = true;
      watcher.close();
      await chain;
    },
  };
}
