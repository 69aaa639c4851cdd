/**
 * The statements s3-harden writes into a bucket policy, built from a plain
 * description of what the operator wants (PolicyIntent), and read back from a
 * policy into that description. Every Sid starts with TOOL_SID_PREFIX, so the
 * composer (./policy.ts) can tell them from statements it must keep, and
 * isBucketPolicySid names exactly these, so the bucket-policy step also keeps
 * the tool statements other steps wrote.
 */
import {
  type ConditionBlock,
  type PolicyDocument,
  TOOL_SID_PREFIX,
  type ToolStatement,
  toolStatements,
} from './policy.js';

export const SID = {
  denyInsecureTransport: `${TOOL_SID_PREFIX}DenyInsecureTransport`,
  denyOldTls: `${TOOL_SID_PREFIX}DenyOldTls`,
  vpceOnly: `${TOOL_SID_PREFIX}VpceOnly`,
  ipAllowlist: `${TOOL_SID_PREFIX}IpAllowlist`,
  denyUnencryptedUploads: `${TOOL_SID_PREFIX}DenyUnencryptedUploads`,
  denyWrongEncryption: `${TOOL_SID_PREFIX}DenyWrongEncryption`,
  denyOtherKmsKeys: `${TOOL_SID_PREFIX}DenyOtherKmsKeys`,
  readOnly: (n: number) => `${TOOL_SID_PREFIX}ReadOnly${n}`,
  crossAccount: (n: number) => `${TOOL_SID_PREFIX}CrossAccount${n}`,
  crossAccountRead: (n: number) => `${TOOL_SID_PREFIX}CrossAccount${n}Read`,
} as const;

const FIXED_SIDS: ReadonlySet<unknown> = new Set(
  Object.values(SID).filter((sid) => typeof sid === 'string'),
);
const NUMBERED_SID = new RegExp(
  `^${TOOL_SID_PREFIX}(?:ReadOnly[1-9]\\d*|CrossAccount[1-9]\\d*(?:Read)?)$`,
);

/**
 * The Sids the bucket-policy step owns in a bucket policy: the ones above,
 * any number of them. Other tool statements there are another step's (the
 * logging step's S3HardenAccessLogsFrom… grants on a log bucket): the
 * bucket-policy step keeps them where they are, even a grant for a source
 * bucket that no longer logs here — removing one is the logging step's
 * business, and dropping a live one would stop that bucket's logs silently.
 */
export function isBucketPolicySid(sid: string): boolean {
  return FIXED_SIDS.has(sid) || NUMBERED_SID.test(sid);
}

/** Values of the s3:x-amz-server-side-encryption header. */
export type UploadAlgorithm = 'AES256' | 'aws:kms' | 'aws:kms:dsse';

export type UploadEncryption =
  /** Deny uploads without the header or with another algorithm. */
  | { readonly algorithm: UploadAlgorithm }
  /** Deny uploads that name another KMS key (StringNotEqualsIfExists). */
  | { readonly kmsKeyArn: string };

/** What the operator wants the bucket policy to enforce. Lists hold validated values. */
export interface PolicyIntent {
  readonly denyInsecureTransport: boolean;
  readonly denyOldTls: boolean;
  /** Deny every request not made through one of these VPC endpoints; empty = no restriction. */
  readonly vpceIds: readonly string[];
  /** Deny every request from outside these CIDRs; empty = no restriction. */
  readonly sourceCidrs: readonly string[];
  readonly uploadEncryption: UploadEncryption | null;
  /** IAM role ARNs granted s3:GetObject and s3:ListBucket. */
  readonly readOnlyRoles: readonly string[];
  /** Account IDs allowed to upload (with bucket-owner-full-control) and read objects. */
  readonly crossAccounts: readonly string[];
  /**
   * A principal ARN the tool's request-wide Denies (transport, TLS, VPC
   * endpoint, IP) do not apply to: the operator's own, so the policy cannot
   * lock them out (see ../plan/lockout.ts).
   */
  readonly exemptPrincipal?: string;
}

export const NO_INTENT: PolicyIntent = {
  denyInsecureTransport: false,
  denyOldTls: false,
  vpceIds: [],
  sourceCidrs: [],
  uploadEncryption: null,
  readOnlyRoles: [],
  crossAccounts: [],
};

/** The ARN partition of a region: aws, aws-cn or aws-us-gov. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The aws:PrincipalArn patterns that name `principalArn`. A role's ARN as the
 * caller's session shows it has no path, but aws:PrincipalArn carries it
 * (IAM Identity Center roles always have one: role/aws-reserved/…/Name), so
 * a role is also matched at any path — role names are unique in an account,
 * so the pattern still names only that role.
 */
export function principalPatterns(principalArn: string): string[] {
  const role = /^(arn:[\w-]+:iam::\d{12}:role\/)([^/]+)$/.exec(principalArn);
  return role ? [principalArn, `${role[1]}*/${role[2]}`] : [principalArn];
}

/** Adds `ArnNotLike aws:PrincipalArn <arn>` to a condition, merged with what is there. */
export function exemptCondition(
  condition: ConditionBlock | undefined,
  principalArn: string,
): ConditionBlock {
  const existing = condition ?? {};
  const block = existing.ArnNotLike ?? {};
  const current = [block['aws:PrincipalArn'] ?? []].flat();
  const values = [
    ...current,
    ...principalPatterns(principalArn).filter((pattern) => !current.includes(pattern)),
  ];
  return {
    ...existing,
    ArnNotLike: {
      ...block,
      'aws:PrincipalArn': values.length === 1 ? (values[0] as string) : values,
    },
  };
}

interface Where {
  readonly bucket: string;
  readonly region: string;
}

function denyAll(
  sid: string,
  resource: readonly string[],
  condition: ConditionBlock,
): ToolStatement {
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: ['s3:*'],
    Resource: resource,
    Condition: condition,
  };
}

/** The tool's statements for an intent, in a fixed order. */
export function statementsFor(where: Where, intent: PolicyIntent): ToolStatement[] {
  const partition = partitionOf(where.region);
  const bucketArn = `arn:${partition}:s3:::${where.bucket}`;
  const objects = `${bucketArn}/*`;
  // Bucket-level calls (ListBucket, GetBucketPolicy…) are on the bucket ARN
  // itself: leaving it out is a common gap.
  const both = [bucketArn, objects];
  const out: ToolStatement[] = [];
  const exempt = intent.exemptPrincipal;
  // The operator is exempted only from the network restrictions, the Denies
  // that can lock them out; HTTPS-only and TLS 1.2 bind everyone (a caller
  // on TLS is never denied by them, and S3.5 wants them unconditional).
  const networkDeny = (sid: string, resource: readonly string[], condition: ConditionBlock) =>
    denyAll(sid, resource, exempt ? exemptCondition(condition, exempt) : condition);
  if (intent.denyInsecureTransport) {
    out.push(
      denyAll(SID.denyInsecureTransport, both, { Bool: { 'aws:SecureTransport': 'false' } }),
    );
  }
  if (intent.denyOldTls) {
    out.push(denyAll(SID.denyOldTls, both, { NumericLessThan: { 's3:TlsVersion': '1.2' } }));
  }
  if (intent.vpceIds.length > 0) {
    out.push(
      networkDeny(SID.vpceOnly, both, {
        StringNotEquals: { 'aws:SourceVpce': [...intent.vpceIds] },
      }),
    );
  }
  if (intent.sourceCidrs.length > 0) {
    out.push(
      networkDeny(SID.ipAllowlist, both, {
        NotIpAddress: { 'aws:SourceIp': [...intent.sourceCidrs] },
      }),
    );
  }
  const encryption = intent.uploadEncryption;
  if (encryption && 'algorithm' in encryption) {
    // Two statements, as AWS documents it: no header at all, and another algorithm.
    out.push({
      Sid: SID.denyUnencryptedUploads,
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:PutObject'],
      Resource: [objects],
      Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
    });
    out.push({
      Sid: SID.denyWrongEncryption,
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:PutObject'],
      Resource: [objects],
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': encryption.algorithm } },
    });
  } else if (encryption) {
    out.push({
      Sid: SID.denyOtherKmsKeys,
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:PutObject'],
      Resource: [objects],
      Condition: {
        StringNotEqualsIfExists: {
          's3:x-amz-server-side-encryption-aws-kms-key-id': encryption.kmsKeyArn,
        },
      },
    });
  }
  out.push(
    ...grantStatements(
      partition,
      { readOnlyRoles: intent.readOnlyRoles, crossAccounts: intent.crossAccounts },
      both,
      objects,
    ),
  );
  return out;
}

/**
 * Allow statements for read-only roles (GetObject, ListBucket on `container`
 * and `objects`) and for other accounts (uploads with bucket-owner-full-control,
 * and reads). Shared by the bucket policy and the access point policy, where
 * the container is the access point and objects are under <arn>/object/.
 */
export function grantStatements(
  partition: string,
  grants: { readonly readOnlyRoles: readonly string[]; readonly crossAccounts: readonly string[] },
  container: readonly string[],
  objects: string,
): ToolStatement[] {
  const out: ToolStatement[] = [];
  grants.readOnlyRoles.forEach((role, index) => {
    out.push({
      Sid: SID.readOnly(index + 1),
      Effect: 'Allow',
      Principal: { AWS: role },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: container,
    });
  });
  grants.crossAccounts.forEach((account, index) => {
    const principal = { AWS: `arn:${partition}:iam::${account}:root` };
    // The ACL condition goes on the upload only: a GetObject request carries
    // no x-amz-acl header, so the same condition would deny every read.
    out.push({
      Sid: SID.crossAccount(index + 1),
      Effect: 'Allow',
      Principal: principal,
      Action: ['s3:PutObject'],
      Resource: [objects],
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
    });
    out.push({
      Sid: SID.crossAccountRead(index + 1),
      Effect: 'Allow',
      Principal: principal,
      Action: ['s3:GetObject'],
      Resource: [objects],
    });
  });
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A condition value (string or list) of a statement, as a list of strings. */
function conditionValues(statement: unknown, operator: string, key: string): string[] {
  if (!isObject(statement) || !isObject(statement.Condition)) return [];
  const block = statement.Condition[operator];
  if (!isObject(block)) return [];
  const value = block[key];
  const values = Array.isArray(value) ? value : [value];
  return values.filter((item): item is string => typeof item === 'string');
}

function awsPrincipal(statement: unknown): string | undefined {
  if (!isObject(statement) || !isObject(statement.Principal)) return undefined;
  const aws = statement.Principal.AWS;
  return typeof aws === 'string' ? aws : undefined;
}

function numbered(found: Map<string, unknown>, sid: (n: number) => string): unknown[] {
  const out: unknown[] = [];
  for (let n = 1; found.has(sid(n)); n++) out.push(found.get(sid(n)));
  return out;
}

const ALGORITHMS: readonly string[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];

/**
 * What the tool's statements already in a policy enforce: the answers that
 * reproduce them. Foreign statements are ignored.
 */
export function intentFromPolicy(document: PolicyDocument | null): PolicyIntent {
  const found = toolStatements(document);
  const algorithm = conditionValues(
    found.get(SID.denyWrongEncryption),
    'StringNotEquals',
    's3:x-amz-server-side-encryption',
  )[0];
  const kmsKeyArn = conditionValues(
    found.get(SID.denyOtherKmsKeys),
    'StringNotEqualsIfExists',
    's3:x-amz-server-side-encryption-aws-kms-key-id',
  )[0];
  let uploadEncryption: UploadEncryption | null = null;
  if (kmsKeyArn) uploadEncryption = { kmsKeyArn };
  else if (algorithm && ALGORITHMS.includes(algorithm))
    uploadEncryption = { algorithm: algorithm as UploadAlgorithm };
  else if (found.has(SID.denyUnencryptedUploads)) uploadEncryption = { algorithm: 'AES256' };
  const exemptPrincipal = [SID.vpceOnly, SID.ipAllowlist]
    .map((sid) => conditionValues(found.get(sid), 'ArnNotLike', 'aws:PrincipalArn')[0])
    .find((arn) => arn !== undefined);
  return {
    ...(exemptPrincipal ? { exemptPrincipal } : {}),
    denyInsecureTransport: found.has(SID.denyInsecureTransport),
    denyOldTls: found.has(SID.denyOldTls),
    vpceIds: conditionValues(found.get(SID.vpceOnly), 'StringNotEquals', 'aws:SourceVpce'),
    sourceCidrs: conditionValues(found.get(SID.ipAllowlist), 'NotIpAddress', 'aws:SourceIp'),
    uploadEncryption,
    readOnlyRoles: numbered(found, SID.readOnly)
      .map(awsPrincipal)
      .filter((role): role is string => role !== undefined),
    crossAccounts: numbered(found, SID.crossAccount)
      .map((statement) => /^arn:[\w-]+:iam::(\d{12}):root$/.exec(awsPrincipal(statement) ?? ''))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => match[1] as string),
  };
}
