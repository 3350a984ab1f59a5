/**
 * Where a V8 CPU profile (`node --cpu-prof`) of a bundled function spent its time: self time per npm package or
 * source module. An unminified esbuild bundle marks each module's code with a `// <path>` comment, so a
 * sample's line in the bundle names the module it came from; Node's own modules keep their `node:` names.
 */
import { readFileSync } from 'node:fs';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { url: string; lineNumber: number; functionName: string } }>;
  samples: number[];
  timeDeltas: number[];
}

/** `[name, ms]` sorted by time, the `top` largest: packages (`ajv`), project modules, Node internals. */
export function profileByPackage(profileFile: string, bundleFile: string, top = 12): Array<[string, number]> {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const lines = readFileSync(bundleFile, 'utf8').split('\n');
  const moduleOfLine: string[] = [];
  let current = '(bundle runtime)';
  for (const [index, line] of lines.entries()) {
    const marker = /^\/\/ (\S+\.(?:c?js|mjs|ts|json))$/.exec(line);
    if (marker) current = marker[1]!;
    moduleOfLine[index] = current;
  }
  const packageOf = (name: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(name)?.[1] ?? name;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const bundleName = bundleFile.split('/').pop()!;
  const totals = new Map<string, number>();
  for (const [index, id] of profile.samples.entries()) {
    const frame = nodes.get(id)!;
    const where = frame.url.endsWith(bundleName)
      ? (moduleOfLine[frame.lineNumber] ?? '?')
      : frame.url
        ? frame.url.replace(/^.*node:/, 'node:')
        : `(${frame.functionName || 'native'})`;
    const name = packageOf(where);
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  }
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
}
