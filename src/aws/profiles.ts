/**
 * Why a named profile gave no credentials. The SDK only says "Could not load
 * credentials from any providers", which for `--profile typo` sent the
 * operator to pass --profile; this looks the profile up in the shared files
 * the way the SDK does (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else
 * ~/.aws/config and ~/.aws/credentials) and says what is true.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AwsError, isRejectedCredentials, NO_CREDENTIALS_MESSAGE } from './errors.js';

interface SharedFile {
  /** As the operator knows it: the variable's value, or ~/.aws/… */
  readonly shown: string;
  readonly path: string;
}

function sharedFile(
  env: NodeJS.ProcessEnv,
  variable: 'AWS_CONFIG_FILE' | 'AWS_SHARED_CREDENTIALS_FILE',
  name: string,
): SharedFile {
  // The SDK's home: HOME, else the OS's.
  const home = env.HOME || homedir();
  const given = env[variable];
  if (!given) return { shown: `~/.aws/${name}`, path: join(home, '.aws', name) };
  return { shown: given, path: given.startsWith('~/') ? join(home, given.slice(2)) : given };
}

/** Section names of an INI file ("[profile x]" → "profile x"); none when unreadable. */
async function sections(path: string): Promise<Set<string>> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const names = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\s*([^\]]*?)\s*\]\s*(?:[;#].*)?$/.exec(line);
    if (header?.[1]) names.add(header[1].replace(/\s+/g, ' '));
  }
  return names;
}

/** Where `profile` is defined: the config file names it "profile X" (or "default"), the credentials file "X". */
async function profileFiles(profile: string, env: NodeJS.ProcessEnv) {
  const config = sharedFile(env, 'AWS_CONFIG_FILE', 'config');
  const credentials = sharedFile(env, 'AWS_SHARED_CREDENTIALS_FILE', 'credentials');
  const [inConfig, inCredentials] = await Promise.all([
    sections(config.path).then(
      (names) => names.has(`profile ${profile}`) || (profile === 'default' && names.has('default')),
    ),
    sections(credentials.path).then((names) => names.has(profile)),
  ]);
  return {
    config,
    credentials,
    found: [...(inConfig ? [config] : []), ...(inCredentials ? [credentials] : [])],
  };
}

/**
 * For a connect that failed for want of credentials or a region, with a
 * profile named (--profile or AWS_PROFILE): the one-line truth about that
 * profile. Undefined when no profile was named or the failure is another.
 */
export async function profileProblem(
  error: AwsError,
  profile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AwsError | undefined> {
  const name = profile ?? env.AWS_PROFILE;
  const about =
    error.kind === 'region' || (error.kind === 'credentials' && !isRejectedCredentials(error));
  if (!name || !about) return undefined;
  const { config, credentials, found } = await profileFiles(name, env);
  if (found.length === 0) {
    return new AwsError(
      'credentials',
      `Profile ${name} not found in ${config.shown} or ${credentials.shown}.`,
      'ProfileNotFound',
    );
  }
  const where = found.map((file) => file.shown).join(' and ');
  if (error.kind === 'region') {
    return new AwsError(
      'region',
      `Profile ${name} (${where}) sets no region: pass --region, set AWS_REGION, or add region to the profile.`,
      error.code,
    );
  }
  // A provider's own reason (an expired SSO session…) says more than ours.
  if (error.message !== NO_CREDENTIALS_MESSAGE) return undefined;
  // The SDK found the profile but nothing in it gave credentials.
  return new AwsError(
    'credentials',
    `Profile ${name} (${where}) gave no credentials: check its keys, role_arn/source_profile, credential_process or SSO login (aws sso login --profile ${name}).`,
    error.code,
  );
}
