/**
 * `ajv`, `ajv/dist/2020.js` and `ajv-formats` for consumer function bundles (lib/aws/consumer-bundling.ts
 * aliases all three to this file). A function validates with the precompiled validators its asset carries beside
 * its schema files, so Ajv itself is needed only for a schema given in the handler's code, a producer's contract
 * or a validator that is missing or stale: it travels in the asset as a separate file (AJV_COMPANION_FILE, built
 * by lib/aws/ajv-companion.ts), which is loaded on first use instead of being parsed at every cold start (about
 * 150 KB of a 450 KB bundle, 25–30 ms of init).
 *
 * One object serves the three specifiers: the named exports `Ajv` and `Ajv2020`, and, as ajv-formats' own module
 * is, a callable module whose `default` is itself (its default import is the module or its `default`, depending on
 * how the importer is compiled).
 */
const path = require('node:path');
const { createRequire } = require('node:module');

const COMPANION = 'stratus-ajv.cjs';
let loaded;

/** The real Ajv, from the companion file beside the bundle (this file's code runs inside index.js). */
function ajv() {
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

// Constructors that build the real class's instance (`new` returns the object a plain function returns), so the
// SDK's `new Ajv(options)` gets a real Ajv, loaded then. Function declarations: an arrow function cannot be `new`ed.
function Ajv(options) {
  return construct('Ajv', options);
}

function Ajv2020(options) {
  return construct('Ajv2020', options);
}

function construct(name, options) {
  const Real = ajv()[name];
  return new Real(options);
}

function addFormats(instance, options) {
  return ajv().addFormats(instance, options);
}

addFormats.Ajv = Ajv;
addFormats.Ajv2020 = Ajv2020;
addFormats.default = addFormats;
addFormats.AJV_COMPANION_FILE = COMPANION;
Object.defineProperty(addFormats, '__esModule', { value: true });
module.exports = addFormats;
