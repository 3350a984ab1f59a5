/**
 * The quality rules a consumer's function enforces, as a file (STRATUS_QUALITY_RULES_FILE) under
 * `<stateDir>/functions/`: the local counterpart of the file the CDK puts in the function's bundle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serializeQualityRuleSet } from '../core/quality-rule-set.ts';
import type { ConsumerSpec, PlatformSpec, TenantSpec } from '../manifest/spec.ts';
import { statePaths } from './state-dir.ts';

/** Writes the file and returns its absolute path; undefined when neither topic has rules. */
export function writeQualityRulesFile(
  platform: PlatformSpec,
  tenant: TenantSpec,
  consumer: ConsumerSpec,
): string | undefined {
  // A shared topic's rules are its owner's.
  const input =
    [...tenant.topics, ...(tenant.sharedTopics ?? [])].find((t) => t.name === consumer.topic)?.quality ?? [];
  const output = tenant.topics.find((t) => t.name === consumer.output)?.quality ?? [];
  if (input.length === 0 && output.length === 0) return undefined;
  const dir = path.join(statePaths(platform).root, 'functions');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${consumer.groupId}.quality.json`);
  writeFileSync(file, serializeQualityRuleSet({ input, output }));
  return file;
}
