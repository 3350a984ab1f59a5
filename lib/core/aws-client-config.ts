/**
 * Configuration for every AWS SDK client Stratus creates outside Lambda (the local runtime, operations
 * commands, tests). The endpoint comes from configuration only, never from code paths that differ by tool.
 */
export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * With an emulator endpoint, dummy credentials are used unless real ones are in the environment (the
 * emulator accepts any); without one, the SDK's default chain and real AWS apply.
 */
export function awsClientConfig(options: { region: string; endpoint?: string }): AwsClientConfig {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const config: AwsClientConfig = { region: options.region, forcePathStyle: true };
  if (endpoint) {
    config.endpoint = endpoint;
    if (!process.env.AWS_ACCESS_KEY_ID)
      config.credentials = { accessKeyId: 'stratus-local', secretAccessKey: 'stratus-local' };
  }
  return config;
}
