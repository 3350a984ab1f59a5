// The stand-in for one of Ajv's modules in consumer bundles: see stand-in.cjs.
module.exports = require('./stand-in.cjs').standIn('ajv2020');
