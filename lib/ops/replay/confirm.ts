import { createInterface } from 'node:readline/promises';

/** Where a y/N answer comes from. */
export interface PromptInput {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/**
 * Asks a yes/no question on a terminal. With no terminal (CI, a pipe) it never waits for an answer that
 * cannot come: it returns 'no-terminal' and the caller refuses.
 */
export async function askYesNo(question: string, io: PromptInput): Promise<boolean | 'no-terminal'> {
  if (!io.input.isTTY) return 'no-terminal';
  const readline = createInterface({ input: io.input, output: io.output });
  try {
    const answer = await readline.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    readline.close();
  }
}
