export * from './errors.ts';
export {
  DEFAULT_CONFIG_FILE,
  type LoadOptions,
  type LoadResult,
  loadStratus,
  loadStratusOrThrow,
} from './load.ts';
export { PLATFORM_DEFAULTS } from './platform-config.ts';
export { INGEST_DEFAULTS, sourceTopicWriters } from './producers.ts';
export * from './spec.ts';
export { NAME_RULES, TENANT_DEFAULTS } from './tenant.ts';
