/**
 * The statements s3-harden writes into a bucket policy, built from a plain
 * description of what the operator wants (PolicyIntent), and read back from a
 * policy into that description. Every Sid starts with TOOL_SID_PREFIX, so the
 * composer (./document.ts) can tell them from statements it must keep, and
 * isBucketPolicySid names exactly these, so the bucket-policy step also keeps
 * the tool statements other steps wrote.
 *
 * Why one file of ~435 lines: each statement is built and read back side by
 * side, so none can be written in a shape intentFromPolicy does not know.
 */
import {
  type ConditionBlock,
  type PolicyDocument,
  TOOL_SID_PREFIX,
  type ToolStatement,
  toolStatements,
} from './document.js';

export const SID = {
  denyInsecureTransport: `${TOOL_SID_PREFIX}DenyInsecureTransport`,
  denyOldTls: `${TOOL_SID_PREFIX}DenyOldTls`,
  vpceOnly: `${TOOL_SID_PREFIX}VpceOnly`,
  ipAllowlist: `${TOOL_SID_PREFIX}IpAllowlist`,
  /**
   * Written by earlier versions: a Deny on uploads without the encryption
   * header, which refused every UploadPart (it carries no header). No longer
   * written; still this step's, so a re-run removes it.
   */
  denyUnencryptedUploads: `${TOOL_SID_PREFIX}DenyUnencryptedUploads`,
  denyWrongEncryption: `${TOOL_SID_PREFIX}DenyWrongEncryption`,
  denyOtherKmsKeys: `${TOOL_SID_PREFIX}DenyOtherKmsKeys`,
  denyKmsWithoutKey: `${TOOL_SID_PREFIX}DenyKmsWithoutKeyId`,
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

/**
 * What an upload may ask for. Only what a request names is judged: an upload
 * without the header (every UploadPart, and every client that relies on
 * default encryption, which has encrypted every new object since January
 * 2023) passes and gets the bucket's default encryption.
 */
export type UploadEncryption =
  /** Deny uploads that name another algorithm. */
  | { readonly algorithm: UploadAlgorithm }
  /** Deny uploads that name another algorithm than KMS, another key, or KMS without a key. */
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
  /** Account IDs allowed to upload and read objects. */
  readonly crossAccounts: readonly string[];
  /**
   * ACLs are off (BucketOwnerEnforced) once the plan is applied: uploads from
   * other accounts need no bucket-owner-full-control ACL. Where ACLs still
   * matter the grant requires it, so the bucket owner owns what partners write.
   */
  readonly aclsDisabled?: boolean;
  /**
   * Roles AWS services act through on the bucket's behalf that are not
   * service-linked (those all pass, see serviceLinkedRolesPattern): the
   * replication role. The network Denies let them through (ArnNotEquals
   * aws:PrincipalArn): their requests come from AWS's network, through none
   * of your endpoints or ranges.
   */
  readonly serviceRoles?: readonly string[];
  /**
   * A principal ARN the tool's request-wide Denies (transport, TLS, VPC
   * endpoint, IP) do not apply to: the operator's own, so the policy cannot
   * lock them out (see ./lockout.ts).
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

/** Macie's service-linked role: what a classification job reads buckets (and decrypts objects) as. */
export function macieServiceRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`;
}

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
  /** The account that owns the bucket: its service-linked roles pass the network Denies. */
  readonly accountId: string;
}

/**
 * Every service-linked role of the account (`role/aws-service-role/…`): AWS
 * Config's recorder, Macie, Security Hub… read the bucket as these, from
 * AWS's network. Only their service can assume them, so letting them
 * through a network Deny lets no person through — AWS's own network
 * perimeter examples (aws-samples/data-perimeter-policy-examples) exempt
 * them the same way.
 */
export function serviceLinkedRolesPattern(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/*`;
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
  // The network Denies let through what AWS does for the bucket: requests of
  // a service principal (CloudFront, log delivery; AWS redacts their network
  // keys), the account's service-linked roles (Config, Macie) and the
  // replication role, which services act through, and forward
  // access sessions (aws:ViaAWSService: Athena), which reach S3 from AWS's
  // own network, through none of your endpoints and from a private address,
  // not the caller's IP (Athena's guide: aws:SourceIp cannot deny them). The
  // operator is exempted only from these, the Denies that can lock them out;
  // HTTPS-only and TLS 1.2 bind everyone (a caller on TLS is never denied by
  // them, and S3.5 wants them unconditional).
  const serviceRoles = [...new Set(intent.serviceRoles ?? [])];
  const networkDeny = (sid: string, resource: readonly string[], condition: ConditionBlock) => {
    const withServices: ConditionBlock = {
      ...condition,
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
      // A separate operator from the operator's own exemption (ArnNotLike), which is read back.
      ArnNotLikeIfExists: {
        'aws:PrincipalArn': serviceLinkedRolesPattern(partition, where.accountId),
      },
      ...(serviceRoles.length > 0
        ? {
            ArnNotEquals: {
              'aws:PrincipalArn':
                serviceRoles.length === 1 ? (serviceRoles[0] as string) : serviceRoles,
            },
          }
        : {}),
    };
    return denyAll(sid, resource, exempt ? exemptCondition(withServices, exempt) : withServices);
  };
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
  out.push(...uploadEncryptionStatements(intent.uploadEncryption, objects));
  out.push(
    ...grantStatements(
      partition,
      { readOnlyRoles: intent.readOnlyRoles, crossAccounts: intent.crossAccounts },
      both,
      objects,
      intent.aclsDisabled === true,
    ),
  );
  return out;
}

function denyUploads(sid: string, objects: string, condition: ConditionBlock): ToolStatement {
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: ['s3:PutObject'],
    Resource: [objects],
    Condition: condition,
  };
}

const KMS_ALGORITHMS = ['aws:kms', 'aws:kms:dsse'];

/** Holds when the request sends `header` with a value other than `values`; never when it sends none. */
function namesOtherThan(header: string, values: string | string[]): ConditionBlock {
  return { StringNotEquals: { [header]: values }, Null: { [header]: 'false' } };
}

const SSE = 's3:x-amz-server-side-encryption';
const SSE_KEY = 's3:x-amz-server-side-encryption-aws-kms-key-id';

/**
 * The upload-encryption Denies: a request is judged only on the headers it
 * sends. The guide's older pattern also denied uploads without the header;
 * since January 2023 default encryption encrypts those, and that Deny
 * refused every UploadPart (which never carries it), so every multipart
 * upload failed. A negated operator alone (StringNotEquals, or its IfExists
 * form) holds when the header is absent, so each Deny also requires the
 * header to be there (Null false).
 */
function uploadEncryptionStatements(
  encryption: UploadEncryption | null,
  objects: string,
): ToolStatement[] {
  if (!encryption) return [];
  if ('algorithm' in encryption) {
    return [
      denyUploads(SID.denyWrongEncryption, objects, namesOtherThan(SSE, encryption.algorithm)),
    ];
  }
  return [
    denyUploads(SID.denyWrongEncryption, objects, namesOtherThan(SSE, KMS_ALGORITHMS)),
    denyUploads(SID.denyOtherKmsKeys, objects, namesOtherThan(SSE_KEY, encryption.kmsKeyArn)),
    // KMS named without a key would be the AWS managed aws/s3 key, not the pinned one.
    denyUploads(SID.denyKmsWithoutKey, objects, {
      StringEquals: { [SSE]: KMS_ALGORITHMS },
      Null: { [SSE_KEY]: 'true' },
    }),
  ];
}

/**
 * Allow statements for read-only roles (GetObject, ListBucket on `container`
 * and `objects`) and for other accounts (uploads, multipart included, and
 * reads). Shared by the bucket policy and the access point policy, where
 * the container is the access point and objects are under <arn>/object/.
 *
 * With ACLs on, an upload from another account must carry
 * bucket-owner-full-control, or the partner would own the object. With ACLs
 * off (BucketOwnerEnforced) the bucket owner owns every object anyway, and
 * the condition would refuse every UploadPart — it sends no ACL header — so
 * every multipart upload: it is left out.
 */
export function grantStatements(
  partition: string,
  grants: { readonly readOnlyRoles: readonly string[]; readonly crossAccounts: readonly string[] },
  container: readonly string[],
  objects: string,
  aclsDisabled: boolean,
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
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: [objects],
      ...(aclsDisabled
        ? {}
        : { Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } }),
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
  const algorithm = ['StringNotEquals']
    .map(
      (operator) =>
        conditionValues(
          found.get(SID.denyWrongEncryption),
          operator,
          's3:x-amz-server-side-encryption',
        )[0],
    )
    .find((value) => value !== undefined);
  // StringNotEqualsIfExists: as earlier versions wrote it.
  const kmsKeyArn = ['StringNotEquals', 'StringNotEqualsIfExists']
    .map((operator) => conditionValues(found.get(SID.denyOtherKmsKeys), operator, SSE_KEY)[0])
    .find((value) => value !== undefined);
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
