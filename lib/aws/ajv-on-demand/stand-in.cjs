/**
 * Ajv inside consumer function bundles (lib/aws/consumer-bundling.ts aliases the three modules the SDK imports —
 * `ajv/dist/ajv.js`, `ajv/dist/2020.js`, `ajv-formats/dist/index.js` — to the stand-ins beside this file). A
 * function validates with the precompiled validators its asset carries beside its schema files, so Ajv is needed
 * only for a schema given in the handler's code, a producer's contract or a validator that is missing or stale: it
 * travels in the asset as a separate file (`stratus-ajv.cjs`, built by lib/aws/ajv-companion.ts) that is loaded on
 * first use instead of being parsed and evaluated at every cold start (about 150 KB of a 450 KB bundle, 25–30 ms of
 * init).
 *
 * Each stand-in is the real module's twin: called or constructed it forwards to the real export, `instanceof`
 * answers for real instances, its other exports (`_`, `KeywordCxt`, …) are getters that load the real module when
 * read, and `__esModule` and `default` are plain values, because bundlers' interop reads them at import time.
 * Only those exact specifiers are aliased: a handler importing `ajv` or `ajv-formats` itself gets the real
 * packages in its bundle (mixing the stand-in's `ajv/dist/2020.js` with a bundled `ajv-formats` would put two
 * copies of Ajv's code generator together; import `ajv` and `ajv-formats` by their package names instead).
 */
// Strict: a sloppy function has own `arguments` and `caller`, which the real modules (classes) do not.
'use strict';

const path = require('node:path');
const { createRequire } = require('node:module');

const COMPANION = 'stratus-ajv.cjs';

/**
 * The own properties of each real module besides a function's `length`, `name` and `prototype` (checked against
 * the installed Ajv by test/cdk/consumer-bundling.test.ts).
 */
/** What `ajv/dist/ajv.js` and `ajv/dist/2020.js` export besides their class. */
const CLASS_MODULE = [
  '__esModule',
  'default',
  'KeywordCxt',
  '_',
  'str',
  'stringify',
  'nil',
  'Name',
  'CodeGen',
  'ValidationError',
  'MissingRefError',
];
const EXPORTS = {
  ajv: ['Ajv', ...CLASS_MODULE],
  ajv2020: ['Ajv2020', ...CLASS_MODULE],
  formats: ['get', '__esModule', 'default'],
};

let loaded;

/** The companion's three real modules, loaded from beside the bundle (this code runs inside index.js). */
function companion() {
  if (loaded) return loaded;
  const file = path.join(__dirname, COMPANION);
  try {
    // createRequire: a require() esbuild does not try to bundle.
    loaded = createRequire(__filename)(file);
  } catch (error) {
    throw new Error(
      `Ajv is not in this function's asset: ${file} could not be loaded (${String(error.message).split('\n')[0]}); Stratus bundles put it beside index.js — redeploy the tenant stack`,
    );
  }
  return loaded;
}

/** The twin of the companion's module `which` (a key of EXPORTS). */
function standIn(which) {
  const real = () => companion()[which];
  // A function declaration: an arrow function cannot be `new`ed. Constructed, it returns the real instance (`new`
  // yields the object a function returns).
  function OnDemand(...args) {
    return new.target ? Reflect.construct(real(), args) : real()(...args);
  }
  Object.defineProperty(OnDemand, Symbol.hasInstance, { value: (value) => value instanceof real() });
  for (const name of EXPORTS[which]) {
    if (name === '__esModule') Object.defineProperty(OnDemand, name, { value: true });
    // The real module's `default` and its class export are the module itself.
    else if (name === 'default' || name === 'Ajv' || name === 'Ajv2020') OnDemand[name] = OnDemand;
    else Object.defineProperty(OnDemand, name, { get: () => real()[name], enumerable: true });
  }
  return OnDemand;
}

module.exports = { standIn, AJV_COMPANION_FILE: COMPANION };
