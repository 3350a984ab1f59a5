/** Types of kafkajs-producer-build.mjs (plain JavaScript, run by node directly). */
export declare const PRODUCER_ONLY_ENTRY: string;
/** Modules of kafkajs/src/protocol/requests left out of consumer function bundles. */
export declare const REQUESTS_LEFT_OUT: readonly string[];
export declare function buildKafkajsProducer(outFile: string): Promise<void>;
/** lib/core/kafkajs-fast-encoding.ts, bundled into the file. */
export declare const FAST_ENCODING: string;
/** A module of kafkajs replaced in the file: the requiring file under kafkajs/src, its specifier, the new source. */
export interface KafkajsReplacement {
  importer: string;
  specifier: string;
  contents: string;
}
export declare const REPLACEMENTS: readonly KafkajsReplacement[];
export declare function replaceKafkajsModules(
  replacements: readonly KafkajsReplacement[],
): import('esbuild').Plugin;
