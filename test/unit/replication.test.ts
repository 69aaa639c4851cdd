/**
 * Replication awareness and existing objects (issue 14, items 5 and 6):
 * what the readers make of GetBucketReplication and the destinations, the
 * key policy a created key gets for the replication role, the warnings on
 * an existing key, the refusal to turn Object Lock on when a destination
 * lacks it, a Deny that catches the role (review warning and audit), the
 * audit's replication-health control, and the notes that count existing
 * objects with the S3 Batch Operations job that brings them in line.
 */
import { describe, expect, it } from 'vitest';
import { replication } from '../../src/aws/families/replication.js';
import type { AuditPosture } from '../../src/plan/audit/controls.js';
import { evaluateControls } from '../../src/plan/audit/controls.js';
import { summarisePosture } from '../../src/plan/audit/posture-summary.js';
import type { Change, Posture, PostureValues } from '../../src/plan/model/types.js';
import type { PolicyDocument } from '../../src/plan/policy/document.js';
import {
  keyAccess,
  replicationDenials,
  replicationKeyWarnings,
  roleDecryptCommand,
} from '../../src/plan/policy/replication.js';
import type { EncryptionConfiguration } from '../../src/plan/resources/encryption.js';
import { resourceSchema } from '../../src/plan/resources/index.js';
import type { KmsKeySummary } from '../../src/plan/resources/kms.js';
import { defaultAliasName } from '../../src/plan/resources/kms.js';
import type { ReplicationTargets, ReplicationValue } from '../../src/plan/resources/replication.js';
import { bucketPolicyStep } from '../../src/steps/bucket-policy.js';
import { type EncryptionAnswers, encryptionStep } from '../../src/steps/encryption.js';
import {
  encryptionNote,
  existingObjects,
  retainUntil,
  retentionNote,
} from '../../src/steps/existing-objects.js';
import { AnswerError, buildPlan } from '../../src/steps/index.js';
import { objectLockStep } from '../../src/steps/object-lock.js';
import { ACCOUNT_ID, BUCKET, posture } from './support.js';

const ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/service-role/s3-replication`;
const REPLICA = 'my-bucket-replica';
const REPLICATION: ReplicationValue = {
  Role: ROLE,
  Rules: [
    {
      ID: 'to-replica',
      Status: 'Enabled',
      Destination: { Bucket: `arn:aws:s3:::${REPLICA}`, StorageClass: 'STANDARD_IA' },
    },
  ],
};
const KMS_RULES: ReplicationValue = {
  Role: ROLE,
  Rules: [
    {
      ID: 'to-replica',
      Status: 'Enabled',
      Destination: {
        Bucket: `arn:aws:s3:::${REPLICA}`,
        ReplicaKmsKeyID: 'arn:aws:kms:eu-west-1:123456789012:key/replica',
      },
      SseKmsEncryptedObjects: 'Enabled',
    },
  ],
};
const UNLOCKED: ReplicationTargets = {
  destinations: [{ bucket: REPLICA, objectLock: false }],
  key: null,
};
const LOCKED: ReplicationTargets = {
  destinations: [{ bucket: REPLICA, objectLock: true }],
  key: null,
};
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROOT_ONLY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};
const NOBODY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:role/admin` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};
const APP_KEY = (policy?: PolicyDocument): KmsKeySummary => ({
  keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  arn: KEY_ARN,
  aliases: ['alias/app-data'],
  state: 'Enabled',
  rotation: true,
  manager: 'CUSTOMER',
  ...(policy ? { policy } : {}),
});
const SSE_S3: EncryptionConfiguration = {
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
};
const kmsWith = (KMSMasterKeyID?: string): EncryptionConfiguration => ({
  Rules: [
    {
      ApplyServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        ...(KMSMasterKeyID ? { KMSMasterKeyID } : {}),
      },
      BucketKeyEnabled: true,
    },
  ],
});
const CREATE: EncryptionAnswers = {
  algorithm: 'SSE-KMS',
  key: 'create',
  keyId: '',
  aliasName: defaultAliasName(BUCKET),
  bucketKey: true,
};
const EMPTY = { 'bucket.objectCount': { objectCount: 0, truncated: false } } as const;

/** As the encryption step reads the bucket. */
function encryptionAt(values: Partial<PostureValues>, unreadable = {}): Posture {
  return posture(
    {
      'bucket.encryption': SSE_S3,
      'bucket.policy': null,
      'bucket.acl': [],
      'account.kmsKeys': [APP_KEY(ROOT_ONLY)],
      'kms.key': null,
      'kms.alias': null,
      'kms.rotation': null,
      ...EMPTY,
      ...values,
    },
    unreadable,
  );
}

function change(changes: readonly Change[], id: string): Change {
  const found = changes.find((item) => item.id === id);
  if (!found) throw new Error(`no change ${id}`);
  return found;
}

const audit = (values: Partial<PostureValues>, unreadable = {}): AuditPosture => ({
  values: {
    'bucket.replication': REPLICATION,
    'bucket.replicationTargets': LOCKED,
    'bucket.objectLock': null,
    'bucket.encryption': SSE_S3,
    'bucket.policy': null,
    ...values,
  },
  unreadable,
  bucket: BUCKET,
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
});
const health = (p: AuditPosture) => evaluateControls(p).find((r) => r.id === 'replication');

describe('the replication reader', () => {
  it('keeps the role and each rule’s destination, replica key and SSE-KMS selection', () => {
    const value = replication({
      ReplicationConfiguration: {
        Role: ROLE,
        Rules: [
          {
            ID: 'to-replica',
            Priority: 1,
            Status: 'Enabled',
            Filter: { Prefix: '' },
            DeleteMarkerReplication: { Status: 'Disabled' },
            Destination: {
              Bucket: `arn:aws:s3:::${REPLICA}`,
              Account: '444455556666',
              StorageClass: 'STANDARD_IA',
              EncryptionConfiguration: {
                ReplicaKmsKeyID: 'arn:aws:kms:eu-west-1:444455556666:key/r',
              },
            },
            SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          },
          { Status: 'Disabled', Destination: { Bucket: 'arn:aws:s3:::other' } },
          { Status: 'Enabled', Destination: {} },
        ],
      },
    });
    expect(value).toEqual({
      Role: ROLE,
      Rules: [
        {
          ID: 'to-replica',
          Status: 'Enabled',
          Destination: {
            Bucket: `arn:aws:s3:::${REPLICA}`,
            Account: '444455556666',
            StorageClass: 'STANDARD_IA',
            ReplicaKmsKeyID: 'arn:aws:kms:eu-west-1:444455556666:key/r',
          },
          SseKmsEncryptedObjects: 'Enabled',
        },
        { Status: 'Disabled', Destination: { Bucket: 'arn:aws:s3:::other' } },
      ],
    });
    expect(resourceSchema('bucket.replication').safeParse(value).success).toBe(true);
    expect(replication({})).toBeNull();
  });
});

describe('a KMS key the replication role must use', () => {
  it('a key the plan creates: its policy grants the role kms:Decrypt through S3, and says so', () => {
    const p = encryptionAt({ 'bucket.replication': KMS_RULES });
    const changes = encryptionStep.plan(p, CREATE);
    const key = change(changes, 'kms.key');
    const policy = JSON.parse(key.call.input.Policy as string) as { Statement: unknown[] };
    expect(policy.Statement).toContainEqual({
      Sid: 'S3HardenDecryptThroughS3',
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: ['kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    });
    expect(key.warnings).toContain(
      `the bucket replicates: its key policy lets the replication role ${ROLE} kms:Decrypt through S3, so S3 can still read the new objects it replicates`,
    );
    // The rule selects SSE-KMS objects: nothing more to say about replication.
    expect(change(changes, 'bucket.encryption').warnings.join('\n')).not.toMatch(/replicat/);
  });

  it('no replication: the created key names no role', () => {
    const key = change(
      encryptionStep.plan(encryptionAt({ 'bucket.replication': null }), CREATE),
      'kms.key',
    );
    expect(key.call.input.Policy as string).not.toContain('role/');
    expect(key.warnings.join('\n')).not.toMatch(/replicat/);
  });

  it('rules that do not select SSE-KMS objects: new objects would stop replicating, with the fix', () => {
    const p = encryptionAt({ 'bucket.replication': REPLICATION });
    const warnings = change(encryptionStep.plan(p, CREATE), 'bucket.encryption').warnings;
    const warning = warnings.find((text) => text.includes('SseKmsEncryptedObjects'));
    expect(warning).toContain(
      'rule "to-replica" (to my-bucket-replica) does not replicate objects encrypted with a KMS key',
    );
    expect(warning).toContain(
      '"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}}',
    );
    expect(warning).toContain(`aws s3api put-bucket-replication --bucket ${BUCKET}`);
  });

  it('an existing key whose policy leaves the role to IAM: a warning with the exact put-role-policy', () => {
    const p = encryptionAt({ 'bucket.replication': KMS_RULES });
    const [encryption] = encryptionStep.plan(p, { ...CREATE, key: KEY_ARN });
    expect(encryption?.warnings).toContain(
      `the key policy of alias/app-data leaves the replication role ${ROLE} to IAM: its IAM policy must allow kms:Decrypt on the key (s3-harden cannot read it), or new objects fail to replicate; if it does not: ${roleDecryptCommand(ROLE, KEY_ARN, p)}`,
    );
    expect(roleDecryptCommand(ROLE, KEY_ARN, p)).toBe(
      `aws iam put-role-policy --role-name s3-replication --policy-name s3-harden-replication-kms --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"${KEY_ARN}","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}'`,
    );
  });

  it('an existing key whose policy does not let the role decrypt: the statement to add', () => {
    const p = encryptionAt({
      'bucket.replication': KMS_RULES,
      'account.kmsKeys': [APP_KEY(NOBODY)],
    });
    const warnings = encryptionStep.plan(p, { ...CREATE, key: KEY_ARN })[0]?.warnings ?? [];
    const warning = warnings.find((text) => text.includes('does not let the replication role'));
    expect(warning).toContain(`aws kms get-key-policy --key-id ${KEY_ARN} --policy-name default`);
    expect(warning).toContain(
      `{"Sid":"S3HardenReplicationDecrypt","Effect":"Allow","Principal":{"AWS":"${ROLE}"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}`,
    );
  });

  it('an existing key whose policy cannot be read, or names the role: warned, or not', () => {
    const unread = replicationKeyWarnings(
      encryptionAt({ 'bucket.replication': KMS_RULES }),
      KEY_ARN,
      APP_KEY(),
      true,
    );
    expect(unread).toHaveLength(1);
    expect(unread[0]).toMatch(
      /^the key policy of alias\/app-data could not be checked \(kms:GetKeyPolicy was refused\)/,
    );
    expect(unread[0]).toContain('aws iam put-role-policy --role-name s3-replication');
    const named: PolicyDocument = {
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    };
    expect(keyAccess(named, ROLE)).toBe('named');
    expect(keyAccess(ROOT_ONLY, ROLE)).toBe('iam');
    expect(keyAccess(NOBODY, ROLE)).toBe('no');
    expect(
      replicationKeyWarnings(
        encryptionAt({ 'bucket.replication': KMS_RULES }),
        KEY_ARN,
        APP_KEY(named),
        true,
      ),
    ).toEqual([]);
    // aws/s3: the role's IAM policy decides; the command covers any key of the account.
    const managed = replicationKeyWarnings(
      encryptionAt({ 'bucket.replication': KMS_RULES }),
      undefined,
      undefined,
      true,
    );
    expect(managed[0]).toContain(`arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/*`);
  });
});

describe('Object Lock and the replication destinations', () => {
  const lockAt = (targets: ReplicationTargets | undefined, unreadable = {}) =>
    posture(
      {
        'bucket.objectLock': null,
        'bucket.versioning': { Status: 'Enabled' },
        'bucket.replication': REPLICATION,
        ...(targets ? { 'bucket.replicationTargets': targets } : {}),
        ...EMPTY,
      },
      unreadable,
    );

  it('worm leaves Object Lock off when a destination has none, and says why with the command', () => {
    const p = lockAt(UNLOCKED);
    const answers = objectLockStep.defaults(p, 'worm');
    expect(answers.enabled).toBe(false);
    const plan = buildPlan(p, 'worm', ['object-lock'], {
      'object-lock': objectLockStep.unattended?.(answers, p) ?? answers,
    });
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        step: 'Object Lock (WORM)',
        reason: `Object Lock stays off: replication destination ${REPLICA} has no Object Lock: S3 cannot replicate locked objects into it; turn Object Lock on there first (aws s3api put-object-lock-configuration --bucket ${REPLICA} --object-lock-configuration '{"ObjectLockEnabled":"Enabled"}'), then plan again`,
      },
    ]);
    expect(objectLockStep.fields(p, answers)[0]).toMatchObject({ kind: 'note', tone: 'warning' });
  });

  it('turning it on anyway is refused', () => {
    const p = lockAt(UNLOCKED);
    const answers = {
      ...objectLockStep.defaults(p, 'baseline'),
      enabled: true,
      retention: 'none' as const,
      confirm: BUCKET,
    };
    expect(() => buildPlan(p, 'custom', ['object-lock'], { 'object-lock': answers })).toThrow(
      AnswerError,
    );
    expect(() => buildPlan(p, 'custom', ['object-lock'], { 'object-lock': answers })).toThrow(
      /^Object Lock: replication destination my-bucket-replica has no Object Lock/,
    );
  });

  it('a destination with Object Lock: turned on, and the role needs two more reads', () => {
    const p = lockAt(LOCKED);
    const answers = objectLockStep.unattended?.(objectLockStep.defaults(p, 'worm'), p);
    const plan = buildPlan(p, 'worm', ['object-lock'], { 'object-lock': answers });
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]?.warnings).toContain(
      `the replication role ${ROLE} needs s3:GetObjectRetention and s3:GetObjectLegalHold on the objects to replicate locked ones: aws iam put-role-policy --role-name s3-replication --policy-name s3-harden-replication-object-lock --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObjectRetention","s3:GetObjectLegalHold"],"Resource":"arn:aws:s3:::${BUCKET}/*"}]}'`,
    );
  });

  it('a destination that cannot be read (another account): turned on with a warning', () => {
    const p = lockAt({
      destinations: [
        {
          bucket: REPLICA,
          objectLock: null,
          reason: 'Access denied: s3:GetBucketObjectLockConfiguration',
        },
      ],
      key: null,
    });
    const answers = objectLockStep.unattended?.(objectLockStep.defaults(p, 'worm'), p);
    const [lock] = buildPlan(p, 'worm', ['object-lock'], { 'object-lock': answers }).changes;
    expect(lock?.warnings).toContain(
      `the Object Lock of replication destination ${REPLICA} (Access denied: s3:GetBucketObjectLockConfiguration) could not be read: make sure it has Object Lock (aws s3api put-object-lock-configuration --bucket ${REPLICA} --object-lock-configuration '{"ObjectLockEnabled":"Enabled"}'), or locked objects fail to replicate`,
    );
  });
});

describe('a Deny that catches the replication role', () => {
  const IP_DENY = {
    Sid: 'OnlyFromOffice',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
    Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
  };
  const EXEMPT = {
    ...IP_DENY,
    Sid: 'OnlyFromOfficeButReplication',
    Condition: { ...IP_DENY.Condition, ArnNotEquals: { 'aws:PrincipalArn': ROLE } },
  };
  const policy = (...statements: unknown[]): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: statements,
  });

  it('is found by the lockout evaluator, for the bucket and its objects', () => {
    expect(
      replicationDenials(policy(IP_DENY), ROLE, { bucket: BUCKET, region: 'us-east-1' }, false),
    ).toEqual([
      {
        index: 0,
        sid: 'OnlyFromOffice',
        certainty: 'denies',
        actions: [
          's3:GetReplicationConfiguration',
          's3:ListBucket',
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
        ],
      },
    ]);
    expect(
      replicationDenials(policy(EXEMPT), ROLE, { bucket: BUCKET, region: 'us-east-1' }, false),
    ).toEqual([]);
  });

  it('fails the audit control', () => {
    expect(health(audit({ 'bucket.policy': policy(IP_DENY) }))).toEqual({
      id: 'replication',
      status: 'fail',
      detail:
        'bucket policy Sid "OnlyFromOffice" denies the replication role s3:GetReplicationConfiguration, s3:ListBucket, s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging',
    });
    expect(health(audit({ 'bucket.policy': policy(EXEMPT) }))?.status).toBe('pass');
  });

  it('is a warning on the bucket-policy change that keeps it', () => {
    const p = posture({ 'bucket.policy': policy(IP_DENY), 'bucket.replication': REPLICATION });
    const [planned] = bucketPolicyStep.plan(p, {
      httpsOnly: true,
      minimumTls12: true,
      vpceOnly: false,
      vpceIds: '',
      sourceCidrs: '',
      uploadEncryption: 'off',
      kmsKeyArn: '',
      readOnlyRoles: '',
      crossAccounts: '',
    });
    expect(planned?.warnings).toContain(
      `Sid "OnlyFromOffice" denies the replication role ${ROLE} s3:GetReplicationConfiguration, s3:ListBucket, s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging: S3 can no longer replicate new objects to ${REPLICA}; exempt the role in that statement (ArnNotEquals aws:PrincipalArn ${ROLE}) or narrow it`,
    );
    // s3-harden's own network Denies let the role through.
    const [vpce] = bucketPolicyStep.plan(
      posture({ 'bucket.policy': null, 'bucket.replication': REPLICATION }),
      {
        httpsOnly: true,
        minimumTls12: true,
        vpceOnly: true,
        vpceIds: 'vpce-0123456789abcdef0',
        sourceCidrs: '10.0.0.0/8',
        uploadEncryption: 'off',
        kmsKeyArn: '',
        readOnlyRoles: '',
        crossAccounts: '',
      },
    );
    expect(vpce?.warnings.join('\n')).not.toMatch(/replication role/);
  });
});

describe('the replication-health control', () => {
  it('passes when the bucket does not replicate, or when it all holds', () => {
    expect(health(audit({ 'bucket.replication': null }))).toMatchObject({
      status: 'pass',
      detail: 'does not replicate',
    });
    expect(health(audit({}))).toMatchObject({ status: 'pass', detail: `replicates to ${REPLICA}` });
  });

  it('fails for Object Lock at the source without it at a destination', () => {
    expect(
      health(
        audit({
          'bucket.objectLock': { ObjectLockEnabled: 'Enabled' },
          'bucket.replicationTargets': UNLOCKED,
        }),
      ),
    ).toMatchObject({
      status: 'fail',
      detail: `Object Lock is on but destination ${REPLICA} has none: locked objects fail to replicate`,
    });
  });

  it('fails for a KMS default the rules do not replicate, or a key policy that shuts the role out', () => {
    expect(health(audit({ 'bucket.encryption': kmsWith() }))).toMatchObject({
      status: 'fail',
      detail:
        'rule "to-replica" does not replicate SSE-KMS objects (SseKmsEncryptedObjects not Enabled), and new objects are KMS-encrypted',
    });
    const withKey = (policy: PolicyDocument): ReplicationTargets => ({
      destinations: LOCKED.destinations,
      key: { keyId: KEY_ARN, arn: KEY_ARN, manager: 'CUSTOMER', policy },
    });
    expect(
      health(
        audit({
          'bucket.replication': KMS_RULES,
          'bucket.encryption': kmsWith(KEY_ARN),
          'bucket.replicationTargets': withKey(NOBODY),
        }),
      ),
    ).toMatchObject({
      status: 'fail',
      detail: `the key policy of ${KEY_ARN} does not let the replication role kms:Decrypt`,
    });
    expect(
      health(
        audit({
          'bucket.replication': KMS_RULES,
          'bucket.encryption': kmsWith(KEY_ARN),
          'bucket.replicationTargets': withKey(ROOT_ONLY),
        }),
      ),
    ).toMatchObject({ status: 'pass' });
  });

  it('is unknown with the reason where it cannot be judged', () => {
    expect(
      health(
        audit(
          {},
          { 'bucket.replication': 'Access denied: s3:GetReplicationConfiguration on my-bucket.' },
        ),
      ),
    ).toMatchObject({
      status: 'unknown',
      detail: 'Access denied: s3:GetReplicationConfiguration on my-bucket.',
    });
    const unreadable: ReplicationTargets = {
      destinations: [{ bucket: REPLICA, objectLock: null, reason: 'Access denied' }],
      key: null,
    };
    expect(
      health(
        audit({
          'bucket.objectLock': { ObjectLockEnabled: 'Enabled' },
          'bucket.replicationTargets': unreadable,
        }),
      ),
    ).toMatchObject({
      status: 'unknown',
      detail: `Object Lock of destination ${REPLICA} (Access denied) not known`,
    });
  });

  it('the posture screen: a plan that changes what it reads but not its verdict leaves it as is', () => {
    const p = posture({ ...audit({ 'bucket.replication': null }).values });
    const row = summarisePosture(
      p,
      buildPlan(p, 'baseline', ['bucket-policy'], {
        'bucket-policy': bucketPolicyStep.defaults(p, 'baseline'),
      }),
    ).rows.find((item) => item.id === 'replication');
    expect(row).toMatchObject({ status: 'pass', planned: 'none' });
  });
});

describe('existing objects', () => {
  const at = (values: Partial<PostureValues>, unreadable = {}) =>
    posture(
      {
        'bucket.objectLock': { ObjectLockEnabled: 'Enabled' },
        'bucket.versioning': { Status: 'Enabled' },
        ...values,
      },
      unreadable,
    );

  it('counts from Macie’s statistics where read, else one listing page', () => {
    expect(
      existingObjects(
        at({
          'bucket.objectStats': {
            source: 'macie',
            objectCount: 12345,
            sizeBytes: 1,
            truncated: false,
          },
          'bucket.objectCount': { objectCount: 1000, truncated: true },
        }),
      ),
    ).toEqual({ count: 12345, atLeast: false });
    expect(
      existingObjects(at({ 'bucket.objectCount': { objectCount: 1000, truncated: true } })),
    ).toEqual({ count: 1000, atLeast: true });
    expect(
      existingObjects(
        at({}, { 'bucket.objectCount': 'Access denied: s3:ListBucket on my-bucket.' }),
      ),
    ).toEqual({ unknown: 'Access denied: s3:ListBucket on my-bucket.' });
    expect(
      encryptionNote(at({ 'bucket.objectCount': { objectCount: 0, truncated: false } }), {
        algorithm: 'AES256',
      }),
    ).toBeNull();
  });

  it('a change of default encryption counts them, with the Batch Operations job that re-encrypts them', () => {
    const p = encryptionAt({
      'bucket.objectCount': { objectCount: 1000, truncated: true },
      'bucket.replication': null,
    });
    const [encryption] = encryptionStep.plan(p, { ...CREATE, key: KEY_ARN });
    const note = encryption?.warnings[0] ?? '';
    expect(note).toMatch(
      /^applies to new objects only: the 1,000 or more existing objects keep the encryption they were written with; to re-encrypt them, run this S3 Batch Operations job/,
    );
    expect(note).toContain(
      `aws s3control create-job --account-id ${ACCOUNT_ID} --region us-east-1 --operation '{"S3PutObjectCopy":{"TargetResource":"arn:aws:s3:::${BUCKET}","MetadataDirective":"COPY","NewObjectMetadata":{"SSEAlgorithm":"KMS"},"SSEAwsKmsKeyId":"${KEY_ARN}","BucketKeyEnabled":true}}' --manifest-generator '{"S3JobManifestGenerator":{"ExpectedBucketOwner":"${ACCOUNT_ID}","SourceBucket":"arn:aws:s3:::${BUCKET}","EnableManifestOutput":false,"Filter":{"MatchAnyObjectEncryption":[{"NOTSSE":{}},{"SSES3":{}}]}}}' --report '{"Bucket":"arn:aws:s3:::'"$REPORT_BUCKET"'","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"s3-harden/${BUCKET}","ReportScope":"FailedTasksOnly"}' --priority 10 --role-arn "$BATCH_ROLE_ARN" --no-confirmation-required`,
    );
    // The key the plan creates is found by its alias once it exists.
    const created = change(encryptionStep.plan(p, CREATE), 'bucket.encryption').warnings[0];
    expect(created).toContain(
      `KMS_KEY_ARN=$(aws kms describe-key --key-id ${defaultAliasName(BUCKET)} --region us-east-1 --query KeyMetadata.Arn --output text) && aws s3control create-job`,
    );
    expect(created).toContain(`"SSEAwsKmsKeyId":"'"$KMS_KEY_ARN"'"`);
    // An empty bucket: no note.
    const empty = encryptionStep.plan(encryptionAt({ 'bucket.replication': null }), {
      ...CREATE,
      key: KEY_ARN,
    });
    expect(empty[0]?.warnings.join('\n')).not.toMatch(/existing objects/);
  });

  it('a new default retention counts them, with the job that locks them until the same date', () => {
    expect(retainUntil('2026-12-05T10:00:00.000Z', { Mode: 'GOVERNANCE', Days: 30 })).toBe(
      '2027-01-04T10:00:00Z',
    );
    expect(retainUntil('2024-02-29T00:00:00.000Z', { Mode: 'COMPLIANCE', Years: 1 })).toBe(
      '2025-03-01T00:00:00Z',
    );
    const p = at({ 'bucket.objectCount': { objectCount: 42, truncated: false } });
    const answers = {
      ...objectLockStep.keep?.(p),
      retention: 'GOVERNANCE',
      days: '30',
      years: '',
      enabled: true,
    } as never;
    const [lock] = objectLockStep.plan(p, answers);
    expect(lock?.warnings).toEqual([retentionNote(p, { Mode: 'GOVERNANCE', Days: 30 })]);
    expect(lock?.warnings[0]).toBe(
      `the default retention applies to object versions written from now on: the 42 existing objects keep the retention they have (none, unless set per object); to lock them until 2025-02-01T03:04:05Z too, run this S3 Batch Operations job, with BATCH_ROLE_ARN set to a role S3 Batch Operations can assume (s3:PutObjectRetention on the bucket) and REPORT_BUCKET to a bucket for its report: aws s3control create-job --account-id ${ACCOUNT_ID} --region us-east-1 --operation '{"S3PutObjectRetention":{"Retention":{"Mode":"GOVERNANCE","RetainUntilDate":"2025-02-01T03:04:05Z"}}}' --manifest-generator '{"S3JobManifestGenerator":{"ExpectedBucketOwner":"${ACCOUNT_ID}","SourceBucket":"arn:aws:s3:::${BUCKET}","EnableManifestOutput":false,"Filter":{"CreatedBefore":"2025-01-02T03:04:05.000Z"}}}' --report '{"Bucket":"arn:aws:s3:::'"$REPORT_BUCKET"'","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"s3-harden/${BUCKET}","ReportScope":"FailedTasksOnly"}' --priority 10 --role-arn "$BATCH_ROLE_ARN" --no-confirmation-required`,
    );
  });
});
