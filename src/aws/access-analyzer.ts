/**
 * The IAM Access Analyzer SDK, loaded only on first use (the analyzer and its
 * findings, and policy validation before apply): most runs never need it.
 * Nothing but the lazy client in clients.ts imports this module, and only
 * with a dynamic import(), so the bundle keeps it in a chunk of its own.
 * Named imports let the bundler keep just these commands of the package.
 *
 * Endpoints without Access Analyzer (the local emulator answers an HTML
 * "500 Internal Server Error" page; LocalStack's free edition a 501; MinIO an
 * XML error) are recognised here, from the raw response, once per client: the
 * call fails with an AwsError of kind 'not-available' instead of an SDK
 * deserialisation error, is not retried, and every later call on the same
 * client fails the same way without reaching the endpoint.
 */
import {
  AccessAnalyzerClient,
  type AccessAnalyzerClientConfig,
  CheckNoPublicAccessCommand,
  CreateAnalyzerCommand,
  DeleteAnalyzerCommand,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
  ValidatePolicyCommand,
} from '@aws-sdk/client-accessanalyzer';
import { NOT_AVAILABLE_MESSAGE } from '../plan/resources/access-analyzer.js';
import { AwsError } from './errors.js';

export { AccessAnalyzerClient };

/**
 * The Access Analyzer commands s3-harden sends, by operation name: the
 * analyzer and its findings (the access-analyzer step), and the policy
 * checks made before apply (ValidatePolicy, CheckNoPublicAccess).
 */
export const ACCESS_ANALYZER_COMMANDS: Readonly<Record<string, new (input: never) => unknown>> = {
  ListAnalyzers: ListAnalyzersCommand,
  CreateAnalyzer: CreateAnalyzerCommand,
  DeleteAnalyzer: DeleteAnalyzerCommand,
  ListFindingsV2: ListFindingsV2Command,
  GetFindingV2: GetFindingV2Command,
  ValidatePolicy: ValidatePolicyCommand,
  CheckNoPublicAccess: CheckNoPublicAccessCommand,
};

/** The parts of a raw HTTP response the check looks at. */
export interface RawResponse {
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

function header(headers: RawResponse['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/**
 * True when a raw response cannot have come from IAM Access Analyzer, whose
 * answers (errors included) are JSON: an HTML or XML page, a 501 Not
 * Implemented, or a 404 that is not one of the service's own errors.
 */
export function isNotAccessAnalyzer(response: RawResponse): boolean {
  const status = response.statusCode ?? 200;
  if (status === 501) return true;
  const type = header(response.headers, 'content-type');
  if (type !== undefined && type !== '' && !/json/i.test(type)) return true;
  // Access Analyzer's own 404 (ResourceNotFoundException) names its error type.
  return status === 404 && header(response.headers, 'x-amzn-errortype') === undefined;
}

/**
 * The Access Analyzer SDK client for `config`, with the check for endpoints
 * that do not implement the service. Exported for every caller of Access
 * Analyzer (the deferred client in clients.ts builds it).
 */
export function createAccessAnalyzerClient(
  config: AccessAnalyzerClientConfig,
): AccessAnalyzerClient {
  const client = new AccessAnalyzerClient(config);
  let unavailable: AwsError | undefined;
  // Once known, nothing is sent again: one detection per run.
  client.middlewareStack.add(
    (next) => async (args) => {
      if (unavailable) throw unavailable;
      return next(args);
    },
    { step: 'initialize', name: 's3HardenAccessAnalyzerKnownUnavailable' },
  );
  // Inside the retry loop and before deserialisation: sees the raw response,
  // and its error (no HTTP status attached) is not retried.
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as RawResponse | undefined;
      if (response && isNotAccessAnalyzer(response)) {
        unavailable = new AwsError('not-available', NOT_AVAILABLE_MESSAGE, 'NotAvailable');
        throw unavailable;
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 's3HardenAccessAnalyzerAvailability' },
  );
  return client;
}
