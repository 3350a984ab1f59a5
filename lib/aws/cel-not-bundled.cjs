/**
 * `@marcbachmann/cel-js` for consumer bundles whose topics have no quality rules: lib/aws/consumer-bundling.ts
 * aliases the evaluator (about 86 KiB minified) to this file then, and so do the local execution environments'
 * bundles (lib/local/function-host/bundle.ts). The SDK only builds a CEL environment when
 * the bundled rules file has rules, and the CDK bundles the real evaluator whenever it writes rules, so this is
 * reached only if the two disagree, and then it says so.
 */
class Environment {
  constructor() {
    throw new Error(
      'the CEL evaluator is not in this function bundle (its topics had no quality rules when it was built); redeploy the tenant stack, or restart stratus dev',
    );
  }
}
module.exports = { Environment };
