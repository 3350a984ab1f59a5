/**
 * The docs stay true: every `stratus …` command shown in README.md and docs/*.md (shell blocks and inline code)
 * names a real command and only flags that command knows, every command has a --help example that does the
 * same, and every YAML manifest snippet validates with the real validator. A snippet that is deliberately
 * partial is marked with `<!-- snippet: partial -->` on the line before it; it must still be YAML.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { allCommands, COMMAND_EXAMPLES, commandPath } from '../../../lib/cli/examples.ts';
import { createProgram } from '../../../lib/cli/main.ts';
import { formatManifestError, loadStratus } from '../../../lib/manifest/index.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const PAGES = [
  'README.md',
  ...readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const program = createProgram({ stdout: process.stdout, stderr: process.stderr, cwd: REPO, exitCode: 0 });

interface Example {
  where: string;
  text: string;
}

/** `stratus …` commands of a page: lines of shell blocks and inline code spans. */
function commandExamples(page: string): Example[] {
  const text = readFileSync(path.join(REPO, page), 'utf8');
  const found: Example[] = [];
  const lines = text.split('\n');
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const where = `${page}:${index + 1}`;
    const open = /^```(\w*)/.exec(line);
    if (open) {
      fence = fence === undefined ? open[1] : undefined;
      return;
    }
    const shell = fence !== undefined && ['sh', 'bash', 'shell', 'console'].includes(fence);
    if (shell) {
      const command = line.replace(/^\$ /, '').replace(/\s#.*$/, '');
      for (const segment of command.split(/&&|\|\||;|\||<\(|\$\(|\)/))
        if (/^\s*(npx )?stratus\s/.test(segment)) found.push({ where, text: segment.trim() });
    } else if (fence === undefined) {
      for (const match of line.matchAll(/`((?:npx )?stratus [^`]+)`/g))
        found.push({ where, text: match[1]! });
    }
  });
  return found;
}

/** Problems with one example: an unknown command, or a flag its command does not know. */
function problemsOf(example: string): string[] {
  const tokens = example
    .replace(/^npx /, '')
    .split(/\s+/)
    .slice(1)
    .map((token) => token.replace(/^[[(]+|[\])]+$/g, ''))
    .filter(Boolean);
  let command: Command = program;
  while (tokens.length > 0 && !tokens[0]!.startsWith('-')) {
    const next = command.commands.find((c) => c.name() === tokens[0]);
    if (!next) break;
    command = next;
    tokens.shift();
  }
  if (command === program && !tokens.some((t) => ['--version', '-V', '--help', '-h'].includes(t)))
    return [`"${example}" names no stratus command`];
  const known = new Set([
    '--help',
    '-h',
    ...command.options.flatMap((o) => [o.long, o.short].filter(Boolean) as string[]),
  ]);
  if (command === program) known.add('--version').add('-V');
  return tokens
    .filter((token) => /^--?[A-Za-z]/.test(token))
    .map((token) => token.split('=')[0]!)
    .filter((flag) => !known.has(flag))
    .map((flag) => `"${example}": \`stratus ${commandPath(command)}\` has no option ${flag}`);
}

describe('command examples in the docs', () => {
  const examples = PAGES.flatMap(commandExamples);

  it('finds the examples (the extraction itself works)', () => {
    expect(examples.length).toBeGreaterThan(30);
    expect(problemsOf('stratus dlq list --tenant x --nope')).toEqual([
      '"stratus dlq list --tenant x --nope": `stratus dlq list` has no option --nope',
    ]);
    expect(problemsOf('stratus frobnicate')).toHaveLength(1);
  });

  it('uses only commands and flags the CLI knows', () => {
    const problems = examples.flatMap((example) =>
      problemsOf(example.text).map((p) => `${example.where}  ${p}`),
    );
    expect(problems).toEqual([]);
  });
});

describe('--help examples', () => {
  it('every command has one, and each parses', () => {
    const missing = allCommands(program)
      .map(commandPath)
      .filter((name) => !COMMAND_EXAMPLES[name] && name !== 'help');
    expect(missing).toEqual([]);
    const problems = Object.values(COMMAND_EXAMPLES)
      .flat()
      .flatMap((example) => problemsOf(example.replace(/ >.*$/, '')));
    expect(problems).toEqual([]);
  });
});

/** YAML blocks of a page with whether they are marked partial. */
function yamlSnippets(page: string): Array<{ where: string; text: string; partial: boolean }> {
  const lines = readFileSync(path.join(REPO, page), 'utf8').split('\n');
  const snippets: Array<{ where: string; text: string; partial: boolean }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i]!)) continue;
    const end = lines.indexOf('```', i + 1);
    const before = lines.slice(Math.max(0, i - 2), i).join('\n');
    snippets.push({
      where: `${page}:${i + 1}`,
      text: lines.slice(i + 1, end).join('\n'),
      partial: before.includes('<!-- snippet: partial -->'),
    });
    i = end;
  }
  return snippets;
}

/** Validates a snippet as a tenant manifest (or the platform config) in a copy of the repo's project. */
function validate(snippet: string): string[] {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-docs-'));
  try {
    for (const dir of ['functions', 'schemas']) symlinkSync(path.join(REPO, dir), path.join(root, dir));
    mkdirSync(path.join(root, 'tenants'));
    const isTenant = (parseDocument(snippet).toJS() as Record<string, unknown>).tenant !== undefined;
    if (isTenant) {
      writeFileSync(path.join(root, 'tenants/snippet.yaml'), snippet);
      writeFileSync(
        path.join(root, 'stratus.config.yaml'),
        readFileSync(path.join(REPO, 'stratus.config.yaml')),
      );
    } else {
      for (const file of ['payments.yaml', 'clickstream.yaml'])
        writeFileSync(path.join(root, 'tenants', file), readFileSync(path.join(REPO, 'tenants', file)));
      writeFileSync(path.join(root, 'stratus.config.yaml'), snippet);
    }
    return loadStratus({ rootDir: root }).errors.map(formatManifestError);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('manifest snippets in the docs', () => {
  const snippets = PAGES.flatMap(yamlSnippets);

  it('there are some, and a broken one would be caught', () => {
    expect(snippets.length).toBeGreaterThan(0);
    expect(
      validate('tenant: x\nowners: [a@example.com]\ncostCenter: c\ntopics: { t: { partitions: 0 } }\n'),
    ).not.toEqual([]);
  });

  it('each validates (partial ones are at least YAML)', () => {
    const problems = snippets.flatMap((snippet) => {
      if (snippet.partial) {
        const doc = parseDocument(snippet.text);
        return doc.errors.map((e) => `${snippet.where}  ${e.message}`);
      }
      return validate(snippet.text).map((problem) => `${snippet.where}  ${problem}`);
    });
    expect(problems).toEqual([]);
  });
});
