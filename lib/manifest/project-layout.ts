/**
 * Where a project keeps what `stratus new` writes, relative to the project root; handlers import the SDK from
 * `sdk` by a relative path.
 */
export const PROJECT_LAYOUT = {
  schema: (tenant: string, topic: string) => `schemas/${tenant}/${topic}.schema.json`,
  handler: (tenant: string, consumer: string) => `functions/${tenant}/${consumer}.ts`,
  test: (tenant: string, consumer: string) => `test/unit/tenants/${tenant}/${consumer}.test.ts`,
  sdk: 'functions/sdk/index.ts',
  testingKit: 'functions/sdk/testing/index.ts',
} as const;
