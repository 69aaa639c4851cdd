// One environment for every timed child, s3-harden and the AWS CLI alike:
// fake credentials, a region, no shared config or credentials file, so
// nothing is looked up outside the emulator and neither side pays for
// something the other skips.
export function benchEnv(base, { stateDir } = {}) {
  const env = {
    ...base,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_PAGER: '',
    // s3-harden's journals go to a temporary directory, not the user's state.
    ...(stateDir ? { S3_HARDEN_STATE_DIR: stateDir } : {}),
  };
  for (const name of ['AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_SESSION_TOKEN']) delete env[name];
  // Proxies would route loopback traffic elsewhere; the s3control commands set their own.
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY'])
    delete env[name];
  return env;
}
