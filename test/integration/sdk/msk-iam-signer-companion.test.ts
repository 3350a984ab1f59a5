/**
 * The MSK IAM signer in a consumer bundle (functions/sdk/companions.ts): not inside index.js but in a companion
 * file beside it, loaded by the producer's OAUTHBEARER provider on its first token request. The bundle is built
 * with the CDK's esbuild settings and run by plain `require()` in a separate Node.js process, as Lambda would;
 * the token is signed with environment credentials, which needs no network, and compared with the one the
 * installed signer makes.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { SDK_COMPANION_FILES } from '../../../functions/sdk/companions.ts';
import { consumerEsbuildOptions, copyConsumerCompanionFiles } from '../../../lib/aws/consumer-bundling.ts';
import { REPO_ROOT } from '../../cdk/helpers.ts';

const run = promisify(execFile);
const REGION = 'eu-west-1';
const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIASTRATUSTEST00001',
  AWS_SECRET_ACCESS_KEY: 'stratus-test-secret',
};

/** Asks the bundled producer configuration's OAUTHBEARER provider for a token, as kafkajs does on connect. */
const ENTRY = `
import { kafkaClientConfig } from './functions/sdk/producer.ts';
export const token = () =>
  kafkaClientConfig({ clientId: 'signer-test', brokers: ['b-1:9098'], auth: 'iam', region: '${REGION}' })
    .sasl.oauthBearerProvider();
`;

const REQUEST_TOKEN = `
const path = require('node:path');
const bundle = process.argv[1];
require(bundle).token().then(({ value }) => {
  const companionsLoaded = Object.keys(require.cache)
    .filter((file) => path.dirname(file) === path.dirname(bundle) && file !== bundle)
    .map((file) => path.basename(file));
  console.log(JSON.stringify({ value, companionsLoaded }));
}, (error) => { console.error(error.message); process.exit(1); });
`;

let bundleDir: string;
let bundleText: string;

beforeAll(async () => {
  bundleDir = mkdtempSync(path.join(os.tmpdir(), 'stratus-signer-bundle-'));
  await build({
    ...consumerEsbuildOptions('node24', REPO_ROOT),
    absWorkingDir: REPO_ROOT,
    stdin: { contents: ENTRY, resolveDir: REPO_ROOT, sourcefile: 'signer-entry.ts', loader: 'ts' },
    bundle: true,
    outfile: path.join(bundleDir, 'index.js'),
    logLevel: 'silent',
  });
  bundleText = readFileSync(path.join(bundleDir, 'index.js'), 'utf8');
});

/** The bundle in a directory of its own, with or without its companion files. */
function asset(companions: boolean): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratus-signer-asset-'));
  copyFileSync(path.join(bundleDir, 'index.js'), path.join(dir, 'index.js'));
  if (companions) copyConsumerCompanionFiles(dir);
  return dir;
}

async function requestToken(dir: string): Promise<{ value: string; companionsLoaded: string[] }> {
  const { stdout } = await run(process.execPath, ['-e', REQUEST_TOKEN, path.join(dir, 'index.js')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      ...CREDENTIALS,
      AWS_REGION: REGION,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // The Lambda runtime provides @aws-sdk/*, which bundle and companion leave external.
      NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
    },
  });
  return JSON.parse(stdout);
}

/** The presigned URL a token carries (base64url), its query as a map. */
function presigned(token: string): { host: string; query: Map<string, string> } {
  const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
  return { host: url.host, query: new Map(url.searchParams) };
}

describe('the MSK IAM signer as a companion of consumer bundles', () => {
  it('is not in the bundle', () => {
    // The IAM action the signer presigns, and its package name (its user agent).
    expect(bundleText.includes('kafka-cluster:Connect')).toBe(false);
    expect(bundleText.includes('aws-msk-iam-sasl-signer-js')).toBe(false);
  });

  it("signs the producer's token from the companion beside the bundle, as the installed signer does", async () => {
    const { value, companionsLoaded } = await requestToken(asset(true));
    expect(companionsLoaded).toEqual([SDK_COMPANION_FILES.mskIamSigner]);

    const bundled = presigned(value);
    const installed = presigned(
      (await withEnv(CREDENTIALS, () => generateAuthToken({ region: REGION }))).token,
    );
    expect(bundled.host).toBe(`kafka.${REGION}.amazonaws.com`);
    expect(bundled.query.get('Action')).toBe('kafka-cluster:Connect');
    expect(bundled.query.get('X-Amz-Credential')).toMatch(
      new RegExp(`^${CREDENTIALS.AWS_ACCESS_KEY_ID}/\\d{8}/${REGION}/kafka-cluster/aws4_request$`),
    );
    expect(bundled.query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // Same parameters as the installed signer's token (values differ by the signing time).
    expect([...bundled.query.keys()].sort()).toEqual([...installed.query.keys()].sort());
    expect(bundled.query.get('User-Agent')).toBe(installed.query.get('User-Agent'));
  });

  it('says what is missing when the asset lacks the companion', async () => {
    const failure = await requestToken(asset(false)).catch((error: { stderr?: string }) => error);
    expect(String((failure as { stderr?: string }).stderr)).toMatch(
      /The MSK IAM signer is not in this function's asset: .*stratus-msk-iam-signer\.cjs could not be loaded .*redeploy the tenant stack/,
    );
  });
});

/** Runs `work` with `vars` set in this process's environment, restored afterwards. */
async function withEnv<T>(vars: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  }
}
