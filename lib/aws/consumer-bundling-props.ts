import path from 'node:path';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type ConsumerEsbuildOptions, consumerCompanionFiles } from './consumer-bundling.ts';

/**
 * NodejsFunction bundling of a function built like a consumer (consumer-bundling.ts: CommonJS, minified,
 * AWS SDK v3 left to the runtime, kafkajs producer-only), with source maps but not their sources, and the
 * bundle's companion files (consumerCompanionFiles), and the caller's after-bundling commands (the files and
 * configuration that travel in the bundle).
 *
 * @param projectRoot the NodejsFunction `projectRoot`, which the bundling sees as its input directory.
 */
export function consumerBundlingProps(
  esbuild: ConsumerEsbuildOptions,
  projectRoot: string,
  afterBundling: (inputDir: string, outputDir: string) => string[],
): nodejs.BundlingOptions {
  const companions = consumerCompanionFiles().map(({ source, name }) => ({
    from: path.relative(projectRoot, source).split(path.sep).join('/'),
    name,
  }));
  return {
    format: OutputFormat.CJS,
    target: esbuild.target,
    minify: esbuild.minify,
    externalModules: esbuild.external,
    define: esbuild.define,
    esbuildArgs: {
      '--alias': Object.entries(esbuild.alias).map(([name, target]) => `${name}=${target}`),
      '--legal-comments': esbuild.legalComments,
    },
    sourceMap: true,
    sourcesContent: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) => [
        ...companions.map(({ from, name }) => `cp "${inputDir}/${from}" "${outputDir}/${name}"`),
        ...afterBundling(inputDir, outputDir),
      ],
    },
  };
}

/**
 * A bundling command that writes `text` to `file`: by node (present wherever esbuild runs), base64 so no
 * shell quoting can alter it.
 */
export function writeFileCommand(file: string, text: string): string {
  return `node -e "require('fs').writeFileSync(process.argv[1], Buffer.from(process.argv[2], 'base64'))" "${file}" ${Buffer.from(text).toString('base64')}`;
}
