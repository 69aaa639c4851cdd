import { Readable } from 'node:stream';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { Clients } from '../../src/aws/clients.js';
import { send } from '../../src/aws/commands.js';
import { AwsError } from '../../src/aws/errors.js';
import { extractEncryption } from '../../src/aws/families/encryption.js';
import type { ReadSend } from '../../src/aws/families/family.js';
import { READERS, readsAhead } from '../../src/aws/families/index.js';
import { CreateAliasEchoCommand } from '../../src/aws/families/kms.js';
import { PlanFileError, parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import { deepEqual } from '../../src/plan/model/diff.js';
import type { Change, PostureValues, ResourceKey } from '../../src/plan/model/types.js';
import { linesToText, renderPlan } from '../../src/plan/render/render.js';
import type { EncryptionConfiguration } from '../../src/plan/resources/encryption.js';
import { RESOURCES, satisfies, writeCall } from '../../src/plan/resources/index.js';
import {
  aliasNameProblem,
  CREATED_KEY_ARN,
  CREATED_KEY_ID,
  defaultAliasName,
  type KmsKeySummary,
  keyDescription,
  kmsKeyIdKind,
} from '../../src/plan/resources/kms.js';
import {
  DSSE_NOTE,
  type EncryptionAnswers,
  encryptionStep,
  KEY_DELETION_WARNING,
  KeyConflictError,
  keyLabel,
  SSE_C_BLOCK_WARNING,
  SSE_C_NOTE,
} from '../../src/steps/encryption.js';
import type { Field } from '../../src/steps/form.js';
import { buildPlan, readsFor, STEP_ORDER, unavailableReason } from '../../src/steps/index.js';
import { ACCOUNT_ID, BUCKET, isOneLine, posture } from './support.js';

const KEY_UUID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/${KEY_UUID}`;
const OTHER_UUID = '0987dcba-09ba-43dc-65fe-0987654321ba';
const OTHER_ARN = `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/${OTHER_UUID}`;

const APP_KEY: KmsKeySummary = {
  keyId: KEY_UUID,
  arn: KEY_ARN,
  aliases: ['alias/app-data'],
  state: 'Enabled',
  rotation: true,
  manager: 'CUSTOMER',
};
const OLD_KEY: KmsKeySummary = {
  keyId: OTHER_UUID,
  arn: OTHER_ARN,
  aliases: ['alias/old', 'alias/older'],
  state: 'Disabled',
  rotation: false,
  manager: 'CUSTOMER',
};

const SSE_S3: EncryptionConfiguration = {
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
};
const BLOCK_SSE_C = { EncryptionType: ['SSE-C'] };
/** As S3 reads a bucket since April 2026: SSE-C blocked. */
const BLOCKED = { BlockedEncryptionTypes: BLOCK_SSE_C };
const SSE_S3_BLOCKED: EncryptionConfiguration = {
  Rules: [{ ...SSE_S3.Rules[0], ...BLOCKED }],
};
const kms = (KMSMasterKeyID?: string, extra: object = {}): EncryptionConfiguration => ({
  Rules: [
    {
      ApplyServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        ...(KMSMasterKeyID ? { KMSMasterKeyID } : {}),
      },
      ...extra,
    },
  ],
});

/** A posture as the encryption step reads it: no key of ours, the given account keys. */
function at(
  encryption: EncryptionConfiguration | null | undefined,
  values: Partial<PostureValues> = {},
) {
  return posture({
    ...(encryption === undefined ? {} : { 'bucket.encryption': encryption }),
    // Read to tell a log target: no policy, no ACL grant.
    'bucket.policy': null,
    'bucket.acl': [],
    'account.kmsKeys': [APP_KEY, OLD_KEY],
    'kms.key': null,
    'kms.alias': null,
    'kms.rotation': null,
    ...values,
  });
}

const ANSWERS: EncryptionAnswers = {
  algorithm: 'SSE-KMS',
  key: 'create',
  keyId: '',
  aliasName: defaultAliasName(BUCKET),
  bucketKey: true,
};

const put = (configuration: unknown) => ({
  service: 's3',
  operation: 'PutBucketEncryption',
  input: { Bucket: BUCKET, ServerSideEncryptionConfiguration: configuration },
});

function byId(changes: readonly Change[], id: string): Change {
  const change = changes.find((candidate) => candidate.id === id);
  if (!change) throw new Error(`no change ${id}`);
  return change;
}

describe('KMS key identifiers and alias names', () => {
  it.each([
    [KEY_ARN, 'key-arn'],
    [`arn:aws:kms:eu-west-1:${ACCOUNT_ID}:key/mrk-1234abcd12ab34cd56ef1234567890ab`, 'key-arn'],
    [`arn:aws-us-gov:kms:us-gov-west-1:${ACCOUNT_ID}:key/${KEY_UUID}`, 'key-arn'],
    [`arn:aws:kms:us-east-1:${ACCOUNT_ID}:alias/app-data`, 'alias-arn'],
    ['alias/app-data', 'alias'],
    ['alias/aws/s3', 'alias'],
    [KEY_UUID, 'key-id'],
  ])('%s is a %s', (text, kind) => {
    expect(kmsKeyIdKind(text)).toBe(kind);
  });

  it.each([
    '',
    'app-data',
    'alias/',
    'alias/has space',
    'arn:aws:kms:us-east-1:12345:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    `arn:aws:s3:::${BUCKET}`,
    `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/not-a-uuid`,
    '1234abcd-12ab-34cd-56ef',
  ])('%j is none', (text) => {
    expect(kmsKeyIdKind(text)).toBeNull();
  });

  it('the default alias names the bucket, dots made dashes (dots are not allowed)', () => {
    expect(defaultAliasName('my.logs.bucket')).toBe('alias/s3-harden-my-logs-bucket');
    expect(aliasNameProblem(defaultAliasName('my.logs.bucket'))).toBeNull();
  });

  it.each([
    ['s3-harden-key', 'the alias name must start with alias/'],
    ['alias/aws/mine', 'alias/aws/ is reserved for AWS managed keys'],
    ['alias/', 'the alias needs a name after alias/'],
    ['alias/my key', 'the alias name may contain only letters, digits, /, _ and - after alias/'],
    ['alias/a:b', 'the alias name may contain only letters, digits, /, _ and - after alias/'],
    [`alias/${'a'.repeat(251)}`, 'the alias name is at most 256 characters'],
  ])('alias %j: %s', (name, problem) => {
    expect(aliasNameProblem(name)).toBe(problem);
  });
});

describe('encryption and KMS resources', () => {
  const target = { accountId: ACCOUNT_ID, region: 'us-east-1', bucket: BUCKET };

  it('bucket.encryption: a value is written with Put, absent with Delete', () => {
    expect(writeCall('bucket.encryption', target, SSE_S3)).toEqual(put(SSE_S3));
    expect(writeCall('bucket.encryption', target, null)).toEqual({
      service: 's3',
      operation: 'DeleteBucketEncryption',
      input: { Bucket: BUCKET },
    });
  });

  it('kms.key: CreateKey (symmetric, customer managed); absent = ScheduleKeyDeletion of the created key, 7 days', () => {
    const key = {
      Description: keyDescription(BUCKET),
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
    };
    expect(writeCall('kms.key', target, key)).toEqual({
      service: 'kms',
      operation: 'CreateKey',
      input: key,
    });
    expect(writeCall('kms.key', target, null)).toEqual({
      service: 'kms',
      operation: 'ScheduleKeyDeletion',
      input: {
        KeyId: { fromOutput: { change: 'kms.key', path: 'KeyMetadata.KeyId' } },
        PendingWindowInDays: 7,
      },
    });
  });

  it('kms.alias and kms.rotation name the created key by reference', () => {
    const alias = { AliasName: 'alias/x', TargetKeyId: CREATED_KEY_ID };
    expect(writeCall('kms.alias', target, alias)).toEqual({
      service: 'kms',
      operation: 'CreateAlias',
      input: alias,
    });
    expect(writeCall('kms.alias', target, null)).toEqual({
      service: 'kms',
      operation: 'DeleteAlias',
      input: { AliasName: { fromOutput: { change: 'kms.alias', path: 'AliasName' } } },
    });
    expect(writeCall('kms.rotation', target, { KeyRotationEnabled: true })).toEqual({
      service: 'kms',
      operation: 'EnableKeyRotation',
      input: { KeyId: CREATED_KEY_ID },
    });
    expect(writeCall('kms.rotation', target, null)).toEqual({
      service: 'kms',
      operation: 'DisableKeyRotation',
      input: { KeyId: CREATED_KEY_ID },
    });
  });

  it('account.kmsKeys is read-only: writing it throws one line', () => {
    expect(() => writeCall('account.kmsKeys', target, [])).toThrow(
      'KMS keys (account) is read-only: a plan never changes it',
    );
  });

  it('a read-back satisfies a planned created-key reference with any key ARN, and BucketKeyEnabled false equals absent', () => {
    const planned = kms(undefined, { BucketKeyEnabled: true });
    const withRef = {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: CREATED_KEY_ARN,
          },
          BucketKeyEnabled: true,
        },
      ],
    };
    expect(satisfies('bucket.encryption', withRef, kms(KEY_ARN, { BucketKeyEnabled: true }))).toBe(
      true,
    );
    expect(satisfies('bucket.encryption', withRef, kms(KEY_ARN))).toBe(false);
    expect(satisfies('bucket.encryption', withRef, SSE_S3)).toBe(false);
    expect(satisfies('bucket.encryption', planned, planned)).toBe(true);
    expect(
      satisfies(
        'bucket.encryption',
        { Rules: [{ ...SSE_S3.Rules[0], BucketKeyEnabled: false }] },
        SSE_S3,
      ),
    ).toBe(true);
    expect(satisfies('bucket.encryption', null, null)).toBe(true);
    expect(satisfies('bucket.encryption', null, SSE_S3)).toBe(false);
    expect(
      satisfies(
        'kms.alias',
        { AliasName: 'alias/x', TargetKeyId: CREATED_KEY_ID },
        { AliasName: 'alias/x', TargetKeyId: KEY_UUID },
      ),
    ).toBe(true);
    expect(
      satisfies(
        'kms.alias',
        { AliasName: 'alias/x', TargetKeyId: CREATED_KEY_ID },
        { AliasName: 'alias/y', TargetKeyId: KEY_UUID },
      ),
    ).toBe(false);
  });

  it('the value schemas accept a created-key reference but not a malformed key', () => {
    const schema = RESOURCES['bucket.encryption'].schema;
    expect(
      schema.safeParse({
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: CREATED_KEY_ARN,
            },
          },
        ],
      }).success,
    ).toBe(true);
    expect(schema.safeParse(kms('not a key')).success).toBe(false);
    expect(
      schema.safeParse({
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: KEY_ARN },
          },
        ],
      }).success,
    ).toBe(false);
  });
});

describe('reading default encryption', () => {
  it('normalises: BucketKeyEnabled false is dropped, BlockedEncryptionTypes is kept as read', () => {
    expect(
      extractEncryption({
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
              BucketKeyEnabled: false,
              BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
            },
          ],
        },
      }),
    ).toEqual({
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
          BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
        },
      ],
    });
    expect(extractEncryption({})).toBeNull();
    expect(extractEncryption({ ServerSideEncryptionConfiguration: { Rules: [] } })).toBeNull();
  });
});

/** An S3 or KMS client that answers every request with `body`, recording what was sent. */
function fakeHttp(body: string) {
  const sent: { path: string; body: string }[] = [];
  const requestHandler = {
    handle: async (request: { path: string; body?: unknown }) => {
      const raw = request.body ?? '';
      const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw as Uint8Array);
      sent.push({ path: request.path, body: text });
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/xml' },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
  };
  const common = {
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestHandler,
  };
  const clients = {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    kms: new KMSClient(common),
  } as unknown as Clients;
  return { clients, sent };
}

describe('the SDK boundary: BlockedEncryptionTypes is never dropped', () => {
  it('PutBucketEncryption sends BlockedEncryptionTypes in the request body', async () => {
    const { clients, sent } = fakeHttp('');
    const configuration = {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN },
          BucketKeyEnabled: true,
          BlockedEncryptionTypes: BLOCK_SSE_C,
        },
      ],
    };
    await send(clients, writeCall('bucket.encryption', { ...posture({}) }, configuration));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toContain(
      '<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>',
    );
    expect(sent[0]?.body).toContain('<BucketKeyEnabled>true</BucketKeyEnabled>');
  });

  it('GetBucketEncryption parses BlockedEncryptionTypes, and the reading keeps it', async () => {
    const { clients } = fakeHttp(
      '<?xml version="1.0" encoding="UTF-8"?><ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled><BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>',
    );
    const output = await send(clients, {
      service: 's3',
      operation: 'GetBucketEncryption',
      input: { Bucket: BUCKET },
    });
    expect(extractEncryption(output)).toEqual({
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
          BlockedEncryptionTypes: BLOCK_SSE_C,
        },
      ],
    });
  });

  it('CreateAlias returns the alias it created, for the undo to delete', async () => {
    const { clients, sent } = fakeHttp('');
    const output = await send(clients, {
      service: 'kms',
      operation: 'CreateAlias',
      input: { AliasName: 'alias/s3-harden-my-bucket', TargetKeyId: KEY_UUID },
    });
    expect(output).toEqual({ AliasName: 'alias/s3-harden-my-bucket' });
    expect(JSON.parse(sent[0]?.body ?? '{}')).toEqual({
      AliasName: 'alias/s3-harden-my-bucket',
      TargetKeyId: KEY_UUID,
    });
    expect(
      new CreateAliasEchoCommand({ AliasName: 'alias/a', TargetKeyId: KEY_UUID }).input,
    ).toEqual({ AliasName: 'alias/a', TargetKeyId: KEY_UUID });
  });
});

describe('encryption step: registry and reads', () => {
  it('comes right after Block Public Access (bucket)', () => {
    expect(STEP_ORDER.indexOf('encryption')).toBe(STEP_ORDER.indexOf('public-access-block') + 1);
  });

  it('reads the bucket encryption, its policy and ACL (a log target?), and the KMS keys only optionally', () => {
    expect(readsFor(['encryption'])).toEqual([
      'bucket.encryption',
      'bucket.policy',
      'bucket.acl',
      'account.kmsKeys',
      'kms.key',
      'kms.alias',
      'kms.rotation',
      'bucket.replication',
      'bucket.objectCount',
    ]);
    const denied = posture(
      { 'bucket.encryption': null, 'bucket.policy': null, 'bucket.acl': [] },
      { 'account.kmsKeys': 'Access denied: kms:ListAliases.' },
    );
    expect(unavailableReason('encryption', denied)).toBeNull();
    expect(
      unavailableReason(
        'encryption',
        posture({}, { 'bucket.encryption': 'Access denied: s3:GetEncryptionConfiguration.' }),
      ),
    ).toBe('cannot read Default encryption: Access denied: s3:GetEncryptionConfiguration.');
  });

  it('shows the controls it satisfies', () => {
    expect(encryptionStep.controls).toEqual(['Security Hub S3.17', 'Security Hub KMS.4']);
  });
});

describe('encryption step: presets', () => {
  const ownKeyValues: Partial<PostureValues> = {
    'account.kmsKeys': [
      APP_KEY,
      { ...APP_KEY, keyId: OTHER_UUID, arn: OTHER_ARN, aliases: [defaultAliasName(BUCKET)] },
    ],
    'kms.key': {
      Description: keyDescription(BUCKET),
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
    },
    'kms.alias': { AliasName: defaultAliasName(BUCKET), TargetKeyId: OTHER_UUID },
    'kms.rotation': { KeyRotationEnabled: true },
  };

  it.each([
    ['baseline, not configured → SSE-S3', 'baseline', null, {}, { algorithm: 'SSE-S3' }],
    ['baseline, SSE-S3 → SSE-S3 (no change)', 'baseline', SSE_S3, {}, { algorithm: 'SSE-S3' }],
    [
      'baseline never downgrades KMS',
      'baseline',
      kms(KEY_ARN),
      {},
      { algorithm: 'keep', key: KEY_ARN },
    ],
    ['custom starts from baseline', 'custom', null, {}, { algorithm: 'SSE-S3' }],
    [
      'strict, not configured → SSE-KMS with a new key, Bucket Key on',
      'strict',
      null,
      {},
      { algorithm: 'SSE-KMS', key: 'create', bucketKey: true, aliasName: defaultAliasName(BUCKET) },
    ],
    [
      'strict, SSE-S3 → SSE-KMS with a new key',
      'strict',
      SSE_S3,
      {},
      { algorithm: 'SSE-KMS', key: 'create', bucketKey: true },
    ],
    [
      'strict keeps a customer-managed key already configured, turning Bucket Key on',
      'strict',
      kms(KEY_ARN),
      {},
      { algorithm: 'SSE-KMS', key: KEY_ARN, bucketKey: true },
    ],
    [
      'strict keeps the key exactly as configured (an alias stays an alias)',
      'strict',
      kms('alias/app-data'),
      {},
      { algorithm: 'SSE-KMS', key: 'type', keyId: 'alias/app-data', bucketKey: true },
    ],
    [
      'strict keeps an unknown key (it may be customer managed)',
      'strict',
      kms(`arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/aaaaaaaa-1111-2222-3333-444444444444`),
      {},
      {
        algorithm: 'SSE-KMS',
        key: 'type',
        keyId: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/aaaaaaaa-1111-2222-3333-444444444444`,
      },
    ],
    [
      'strict replaces the AWS managed aws/s3 key (no key ID) with a new key',
      'strict',
      kms(),
      {},
      { algorithm: 'SSE-KMS', key: 'create' },
    ],
    [
      'strict replaces alias/aws/s3 with a new key',
      'strict',
      kms('alias/aws/s3'),
      {},
      { algorithm: 'SSE-KMS', key: 'create' },
    ],
    [
      'strict keeps DSSE-KMS with a customer-managed key',
      'strict',
      {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms:dsse',
              KMSMasterKeyID: KEY_ARN,
            },
          },
        ],
      },
      {},
      { algorithm: 'keep' },
    ],
    ['worm is strict', 'worm', null, {}, { algorithm: 'SSE-KMS', key: 'create', bucketKey: true }],
    [
      'strict picks the key s3-harden created for this bucket earlier instead of a second one',
      'strict',
      SSE_S3,
      ownKeyValues,
      { algorithm: 'SSE-KMS', key: OTHER_ARN, bucketKey: true },
    ],
  ] as const)('%s', (_name, preset, encryption, values, expected) => {
    const state = at(
      encryption as EncryptionConfiguration | null,
      values as Partial<PostureValues>,
    );
    const answers = encryptionStep.defaults(state, preset);
    expect(answers).toMatchObject(expected);
    expect(encryptionStep.validate(answers)).toEqual([]);
  });

  it('plans nothing when the encryption was not read, and keep changes nothing', () => {
    expect(encryptionStep.defaults(at(undefined), 'strict').algorithm).toBe('keep');
    expect(encryptionStep.plan(at(undefined), ANSWERS)).toEqual([]);
    for (const state of [at(null), at(SSE_S3), at(kms(KEY_ARN, { BucketKeyEnabled: true }))]) {
      const keep = encryptionStep.keep?.(state);
      expect(keep?.algorithm).toBe('keep');
      expect(encryptionStep.plan(state, keep as EncryptionAnswers)).toEqual([]);
    }
  });

  it('strict on a bucket already on its own customer-managed key with Bucket Key has nothing to do', () => {
    for (const key of [KEY_ARN, 'alias/app-data', KEY_UUID]) {
      const state = at(kms(key, { BucketKeyEnabled: true, ...BLOCKED }));
      expect(encryptionStep.plan(state, encryptionStep.defaults(state, 'strict'))).toEqual([]);
    }
  });

  it('strict on a customer-managed key without Bucket Key only turns the Bucket Key on', () => {
    const state = at(kms('alias/app-data', BLOCKED));
    const [change, ...rest] = encryptionStep.plan(state, encryptionStep.defaults(state, 'strict'));
    expect(rest).toEqual([]);
    expect(change?.after).toEqual(kms('alias/app-data', { BucketKeyEnabled: true, ...BLOCKED }));
  });
});

describe('encryption step: validation, one clear line each', () => {
  it.each([
    [{ algorithm: 'AES' }, 'Encryption must be SSE-S3, SSE-KMS, DSSE-KMS or keep, not "AES"'],
    [{ bucketKey: 'yes' }, 'Bucket Key must be on or off'],
    [
      { key: 'type', keyId: '  ' },
      'Enter a KMS key: its ARN (arn:aws:kms:<region>:<account>:key/<id>), an alias (alias/<name>) or a key ID',
    ],
    [
      { key: 'type', keyId: 'my-key' },
      '"my-key" is not a KMS key ARN, alias ARN, alias/<name> or key ID',
    ],
    [
      { key: 'arn:aws:kms:us-east-1:1:key/x' },
      '"arn:aws:kms:us-east-1:1:key/x" is not a KMS key ARN, alias ARN, alias/<name> or key ID',
    ],
    [
      { aliasName: 's3-harden-x' },
      'Alias of the new key: the alias name must start with alias/ (e.g. alias/s3-harden-my-bucket)',
    ],
    [
      { aliasName: 'alias/aws/x' },
      'Alias of the new key: alias/aws/ is reserved for AWS managed keys (e.g. alias/s3-harden-my-bucket)',
    ],
    [
      { aliasName: 'alias/my key' },
      'Alias of the new key: the alias name may contain only letters, digits, /, _ and - after alias/ (e.g. alias/s3-harden-my-bucket)',
    ],
  ])('%j → %s', (patch, message) => {
    const problems = encryptionStep.validate({
      ...ANSWERS,
      ...(patch as object),
    } as EncryptionAnswers);
    expect(problems).toEqual([message]);
    for (const problem of problems) expect(isOneLine(problem)).toBe(true);
  });

  it('accepts every kind of key identifier, and ignores the key for SSE-S3 and keep', () => {
    for (const keyId of [
      KEY_ARN,
      'alias/app-data',
      KEY_UUID,
      `arn:aws:kms:us-east-1:${ACCOUNT_ID}:alias/app`,
    ]) {
      expect(encryptionStep.validate({ ...ANSWERS, key: 'type', keyId })).toEqual([]);
    }
    expect(
      encryptionStep.validate({ ...ANSWERS, algorithm: 'SSE-S3', key: 'type', keyId: '' }),
    ).toEqual([]);
    expect(encryptionStep.validate({ ...ANSWERS, algorithm: 'keep', aliasName: 'bad' })).toEqual(
      [],
    );
  });
});

describe('encryption step: plans', () => {
  it('SSE-S3 on a bucket without configuration: created, undone by Delete', () => {
    const [change, ...rest] = encryptionStep.plan(at(null), { ...ANSWERS, algorithm: 'SSE-S3' });
    expect(rest).toEqual([]);
    expect(change).toMatchObject({
      id: 'bucket.encryption',
      step: 'encryption',
      resource: 'bucket.encryption',
      action: 'create',
      call: put(SSE_S3),
      before: null,
      after: SSE_S3,
      undo: { service: 's3', operation: 'DeleteBucketEncryption', input: { Bucket: BUCKET } },
      dependsOn: [],
    });
  });

  it('a new key: CreateKey, CreateAlias, EnableKeyRotation, then the bucket uses the new key ARN', () => {
    const changes = encryptionStep.plan(at(SSE_S3), ANSWERS);
    expect(changes.map((change) => change.id)).toEqual([
      'kms.key',
      'kms.alias',
      'kms.rotation',
      'bucket.encryption',
    ]);
    const key = byId(changes, 'kms.key');
    expect(key).toMatchObject({
      action: 'create',
      before: null,
      call: {
        service: 'kms',
        operation: 'CreateKey',
        input: {
          Description: `s3-harden: default encryption for ${BUCKET}`,
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyUsage: 'ENCRYPT_DECRYPT',
          Tags: [{ TagKey: 's3-harden:bucket', TagValue: BUCKET }],
        },
      },
      undo: {
        service: 'kms',
        operation: 'ScheduleKeyDeletion',
        input: { KeyId: CREATED_KEY_ID, PendingWindowInDays: 7 },
      },
      dependsOn: [],
      warnings: [
        "its key policy keeps the account's IAM policies in charge; the bucket policy grants no one else",
        KEY_DELETION_WARNING,
      ],
    });
    // Created with its key policy: the account's IAM policies keep the key (KMS's default).
    expect(JSON.parse(key.call.input.Policy as string)).toEqual({
      Version: '2012-10-17',
      Id: 's3-harden-key-policy',
      Statement: [
        {
          Sid: 'EnableIAMPolicies',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    expect(byId(changes, 'kms.alias')).toMatchObject({
      call: {
        operation: 'CreateAlias',
        input: { AliasName: `alias/s3-harden-${BUCKET}`, TargetKeyId: CREATED_KEY_ID },
      },
      undo: { operation: 'DeleteAlias' },
      dependsOn: ['kms.key'],
    });
    expect(byId(changes, 'kms.rotation')).toMatchObject({
      call: { operation: 'EnableKeyRotation', input: { KeyId: CREATED_KEY_ID } },
      undo: { operation: 'DisableKeyRotation', input: { KeyId: CREATED_KEY_ID } },
      dependsOn: ['kms.key'],
    });
    const after = kms(undefined, { BucketKeyEnabled: true });
    (
      after.Rules[0]?.ApplyServerSideEncryptionByDefault as { KMSMasterKeyID: unknown }
    ).KMSMasterKeyID = CREATED_KEY_ARN;
    expect(byId(changes, 'bucket.encryption')).toMatchObject({
      action: 'update',
      before: SSE_S3,
      after,
      call: put(after),
      undo: put(SSE_S3),
      dependsOn: ['kms.key', 'kms.alias', 'kms.rotation'],
    });
  });

  it('every change is what its resource writes, so a plan file accepts it', () => {
    for (const change of encryptionStep.plan(at(SSE_S3), ANSWERS)) {
      expect(change.call).toEqual(writeCall(change.resource, posture({}), change.after));
      expect(change.undo).toEqual(writeCall(change.resource, posture({}), change.before));
    }
  });

  it('an existing key: one change, Bucket Key only when asked, warnings for alias and region', () => {
    const [picked] = encryptionStep.plan(at(SSE_S3), {
      ...ANSWERS,
      key: KEY_ARN,
      bucketKey: false,
    });
    expect(picked?.after).toEqual(kms(KEY_ARN));
    expect(picked?.warnings).toContain(
      'without an S3 Bucket Key every object request calls KMS (cost, quotas)',
    );
    const [typed] = encryptionStep.plan(at(null), {
      ...ANSWERS,
      key: 'type',
      keyId: 'alias/app-data',
    });
    expect(typed?.after).toEqual(kms('alias/app-data', { BucketKeyEnabled: true }));
    expect(typed?.warnings).toContain(
      "alias/app-data is resolved in the account of whoever uploads; a key ARN pins the bucket's own key",
    );
    const elsewhere = `arn:aws:kms:eu-west-1:${ACCOUNT_ID}:key/${KEY_UUID}`;
    const [remote] = encryptionStep.plan(at(null), { ...ANSWERS, key: 'type', keyId: elsewhere });
    expect(remote?.warnings).toContain(
      "the key is in eu-west-1 but the bucket in us-east-1: S3 needs a key in the bucket's region",
    );
    const [disabled] = encryptionStep.plan(at(null), { ...ANSWERS, key: 'type', keyId: OTHER_ARN });
    expect(disabled?.warnings).toContain(
      'the key is Disabled: S3 cannot encrypt with it until it is Enabled',
    );
  });

  it('DSSE-KMS never sets a Bucket Key, even when the answer has it on', () => {
    const [change] = encryptionStep.plan(at(null), {
      ...ANSWERS,
      algorithm: 'DSSE-KMS',
      key: KEY_ARN,
      bucketKey: true,
    });
    expect(change?.after).toEqual({
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms:dsse',
            KMSMasterKeyID: KEY_ARN,
          },
        },
      ],
    });
  });

  it.each([
    ['SSE-S3', { algorithm: 'SSE-S3' }, kms(KEY_ARN, { BlockedEncryptionTypes: BLOCK_SSE_C })],
    [
      'SSE-KMS (new key)',
      {},
      { ...SSE_S3, Rules: [{ ...SSE_S3.Rules[0], BlockedEncryptionTypes: BLOCK_SSE_C }] },
    ],
    ['SSE-KMS (picked key)', { key: KEY_ARN }, null],
    ['DSSE-KMS', { algorithm: 'DSSE-KMS', key: KEY_ARN }, null],
  ] as const)('an SSE-C block is carried into %s', (_name, patch, start) => {
    const before = start ?? {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const },
          BlockedEncryptionTypes: BLOCK_SSE_C,
        },
      ],
    };
    const changes = encryptionStep.plan(at(before), {
      ...ANSWERS,
      ...(patch as object),
    } as EncryptionAnswers);
    const after = byId(changes, 'bucket.encryption').after as EncryptionConfiguration;
    expect(after.Rules[0]?.BlockedEncryptionTypes).toEqual(BLOCK_SSE_C);
    // Even an otherwise unchanged SSE-S3 rule keeps it (the rule is not rewritten at all).
    expect(encryptionStep.plan(at(before), { ...ANSWERS, algorithm: 'keep' })).toEqual([]);
  });

  it('SSE-S3 already set is left exactly as it is, Bucket Key and SSE-C block included', () => {
    const before = {
      Rules: [{ ...SSE_S3.Rules[0], BucketKeyEnabled: true, BlockedEncryptionTypes: BLOCK_SSE_C }],
    };
    expect(encryptionStep.plan(at(before), { ...ANSWERS, algorithm: 'SSE-S3' })).toEqual([]);
  });

  it('warns when it moves from KMS to SSE-S3, or from DSSE-KMS to SSE-KMS', () => {
    const [down] = encryptionStep.plan(at(kms(KEY_ARN)), { ...ANSWERS, algorithm: 'SSE-S3' });
    expect(down?.warnings).toContain(
      'moves from KMS to SSE-S3: new objects are no longer guarded by a key policy',
    );
    const dsse: EncryptionConfiguration = {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms:dsse',
            KMSMasterKeyID: KEY_ARN,
          },
        },
      ],
    };
    const [single] = encryptionStep.plan(at(dsse), { ...ANSWERS, key: KEY_ARN });
    expect(single?.warnings).toContain('moves from dual-layer (DSSE-KMS) to single-layer SSE-KMS');
  });

  it('refuses a second key for the bucket, and an alias that is taken, in one line', () => {
    const own = at(SSE_S3, {
      'kms.key': {
        Description: keyDescription(BUCKET),
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
      },
      'kms.alias': { AliasName: 'alias/mine', TargetKeyId: OTHER_UUID },
    });
    expect(() => encryptionStep.plan(own, ANSWERS)).toThrow(
      new KeyConflictError(
        'Default encryption: s3-harden already created a key for my-bucket (alias/mine): pick it instead of creating another',
      ),
    );
    expect(() =>
      encryptionStep.plan(at(SSE_S3), { ...ANSWERS, aliasName: 'alias/app-data' }),
    ).toThrow(
      'Default encryption: alias/app-data already names a KMS key in this account: choose another alias',
    );
  });
});

describe('encryption step: fields', () => {
  const inputs = (fields: Field[]) =>
    fields.flatMap((field) => (field.kind === 'note' ? [] : [field.key]));
  const notes = (fields: Field[]) =>
    fields.flatMap((field) => (field.kind === 'note' ? [field.text] : []));

  it('lists the usable keys (alias · state · rotation), then create and type', () => {
    const state = at(kms(KEY_ARN), {
      'account.kmsKeys': [
        APP_KEY,
        OLD_KEY,
        {
          ...APP_KEY,
          keyId: 'k3',
          arn: 'arn3',
          aliases: ['alias/aws/s3'],
          manager: 'AWS',
          rotation: null,
        },
      ],
    });
    const fields = encryptionStep.fields(state, { ...ANSWERS, key: KEY_ARN });
    expect(inputs(fields)).toEqual(['algorithm', 'key', 'bucketKey', 'blockSseC']);
    const key = fields.find((field) => field.kind === 'choice' && field.key === 'key');
    expect(
      key && key.kind === 'choice' && key.options.map((option) => [option.value, option.label]),
    ).toEqual([
      [KEY_ARN, 'alias/app-data · Enabled · rotation on'],
      ['arn3', 'alias/aws/s3 · AWS managed'],
      ['create', 'create a new key'],
      ['type', 'type a key ARN'],
    ]);
    expect(key && 'now' in key && key.now).toBe('alias/app-data');
    const algorithm = fields[0];
    expect(algorithm?.kind === 'choice' && algorithm.now).toBe('SSE-KMS (alias/app-data)');
    expect(keyLabel(OLD_KEY)).toBe('alias/old (+1) · Disabled · rotation off');
  });

  it('asks for the alias when creating, the key when typing; DSSE has a note instead of a Bucket Key toggle', () => {
    expect(inputs(encryptionStep.fields(at(null), ANSWERS))).toEqual([
      'algorithm',
      'key',
      'aliasName',
      'bucketKey',
      'blockSseC',
    ]);
    expect(inputs(encryptionStep.fields(at(null), { ...ANSWERS, key: 'type' }))).toEqual([
      'algorithm',
      'key',
      'keyId',
      'bucketKey',
      'blockSseC',
    ]);
    const dsse = encryptionStep.fields(at(null), { ...ANSWERS, algorithm: 'DSSE-KMS' });
    expect(inputs(dsse)).toEqual(['algorithm', 'key', 'aliasName', 'blockSseC']);
    expect(notes(dsse)).toContain(DSSE_NOTE);
    expect(inputs(encryptionStep.fields(at(null), { ...ANSWERS, algorithm: 'SSE-S3' }))).toEqual([
      'algorithm',
      'blockSseC',
    ]);
  });

  it('always explains SSE-C, shows the block, and names other blocked types that will be kept', () => {
    const blocked = at({
      Rules: [{ ...SSE_S3.Rules[0], BlockedEncryptionTypes: { EncryptionType: ['SSE-C', 'X'] } }],
    });
    const fields = encryptionStep.fields(blocked, { ...ANSWERS, algorithm: 'SSE-S3' });
    expect(notes(fields)).toContain(SSE_C_NOTE);
    expect(notes(fields)).toContain('Also blocked here: X; kept as it is.');
    const toggle = fields.find((field) => field.kind === 'toggle' && field.key === 'blockSseC');
    expect(toggle && 'now' in toggle && toggle.now).toBe('on');
  });

  it('every preset blocks SSE-C where it is allowed, with the reason; keep leaves it', () => {
    for (const preset of ['baseline', 'strict', 'worm', 'custom'] as const) {
      const state = at(SSE_S3);
      const answers = encryptionStep.defaults(state, preset);
      expect(answers.blockSseC).toBe(true);
      const block = encryptionStep
        .plan(state, answers)
        .find((change) => change.id === 'bucket.encryption');
      expect(block?.after, preset).toMatchObject({
        Rules: [expect.objectContaining(BLOCKED)],
      });
      expect(block?.warnings).toContain(SSE_C_BLOCK_WARNING);
    }
    // SSE-S3 as it is, but for the block: the one change, the rest of the rule untouched.
    const [only, ...rest] = encryptionStep.plan(
      at(SSE_S3),
      encryptionStep.defaults(at(SSE_S3), 'baseline'),
    );
    expect(rest).toEqual([]);
    expect(only?.after).toEqual(SSE_S3_BLOCKED);
    expect(only?.undo).toEqual(put(SSE_S3));
    // Already blocked, or the operator keeps it as it is: nothing to do.
    expect(
      encryptionStep.plan(
        at(SSE_S3_BLOCKED),
        encryptionStep.defaults(at(SSE_S3_BLOCKED), 'baseline'),
      ),
    ).toEqual([]);
    expect(
      encryptionStep.plan(at(SSE_S3), encryptionStep.keep?.(at(SSE_S3)) as EncryptionAnswers),
    ).toEqual([]);
    // Explicitly unblocked (NONE) is blocked again by a preset, never the other way round.
    const unblocked = at({
      Rules: [{ ...SSE_S3.Rules[0], BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }],
    });
    expect(
      encryptionStep.plan(unblocked, encryptionStep.defaults(unblocked, 'strict'))[0]?.after,
    ).toBeDefined();
    expect(
      encryptionStep.plan(at(SSE_S3_BLOCKED), {
        ...ANSWERS,
        algorithm: 'SSE-S3',
        blockSseC: false,
      }),
    ).toEqual([]);
  });

  it('warns before planning a second key or a taken alias', () => {
    expect(
      notes(encryptionStep.fields(at(null), { ...ANSWERS, aliasName: 'alias/app-data' })),
    ).toContain('alias/app-data already names a KMS key in this account: choose another alias.');
  });

  it('every help line and note fits an 80-column terminal', () => {
    const state = at(kms(KEY_ARN));
    for (const answers of [
      ANSWERS,
      { ...ANSWERS, key: 'type' },
      { ...ANSWERS, key: KEY_ARN },
      { ...ANSWERS, algorithm: 'DSSE-KMS' as const },
    ]) {
      for (const field of encryptionStep.fields(state, answers)) {
        // Help lines are indented by 6 and cut at the edge; notes wrap.
        const texts =
          field.kind === 'note'
            ? [field.text]
            : [
                `      ${field.help}`,
                ...(field.kind === 'choice'
                  ? field.options.map((option) => `      ${option.help ?? ''}`)
                  : []),
              ];
        for (const text of texts) {
          expect(isOneLine(text)).toBe(true);
          expect(text.length, text).toBeLessThanOrEqual(80);
        }
      }
    }
    expect(`  ${encryptionStep.summary}`.length).toBeLessThanOrEqual(80);
  });
});

describe('encryption plans in plan files and the review', () => {
  const plan = () =>
    buildPlan(
      at(SSE_S3),
      'strict',
      ['encryption'],
      { encryption: ANSWERS },
      new Date('2025-01-02T03:04:05Z'),
    );

  it('round-trip through a plan file, output references included', () => {
    const original = plan();
    const parsed = parsePlan(serializePlan(original, 'test'));
    expect(deepEqual(parsed.changes, original.changes)).toBe(true);
    expect(parsed.observed).toEqual({
      'kms.key': null,
      'kms.alias': null,
      'kms.rotation': null,
      'bucket.encryption': SSE_S3,
    });
  });

  // biome-ignore lint/suspicious/noExplicitAny: tests edit the JSON freely.
  const edited = (edit: (file: any) => void) => {
    const file = JSON.parse(serializePlan(plan(), 'test'));
    edit(file);
    return JSON.stringify(file);
  };
  const rejected = (text: string): string => {
    try {
      parsePlan(text);
    } catch (error) {
      expect(error).toBeInstanceOf(PlanFileError);
      expect(isOneLine((error as Error).message)).toBe(true);
      return (error as Error).message;
    }
    throw new Error('parsePlan accepted it');
  };

  it.each([
    [
      'a deletion of a key the plan did not create',
      (file: { changes: { undo: { input: Record<string, unknown> } }[] }) => {
        (file.changes[0] as { undo: { input: Record<string, unknown> } }).undo.input.KeyId =
          KEY_ARN;
      },
      'changes[0].undo.input.KeyId: Invalid input: expected object, received string',
    ],
    [
      'a longer deletion window than planned',
      (file: { changes: { undo: { input: Record<string, unknown> } }[] }) => {
        (
          file.changes[0] as { undo: { input: Record<string, unknown> } }
        ).undo.input.PendingWindowInDays = 30;
      },
      'changes[0].undo.input.PendingWindowInDays: Invalid input: expected 7',
    ],
    [
      'a reference to a change that runs later',
      // biome-ignore lint/suspicious/noExplicitAny: edits the JSON.
      (file: any) => {
        file.changes.reverse();
      },
      'changes[0].call uses the output of kms.key, which does not run before it',
    ],
    [
      'a change to the read-only key list',
      // biome-ignore lint/suspicious/noExplicitAny: edits the JSON.
      (file: any) => {
        file.changes[2].resource = 'account.kmsKeys';
        file.observed['account.kmsKeys'] = [];
        file.changes[2].before = [];
        file.changes[2].after = [];
      },
      'changes[2]: KMS keys (account) is read-only: a plan never changes it',
    ],
    [
      'a bucket key taken from another output than the created key',
      // biome-ignore lint/suspicious/noExplicitAny: edits the JSON.
      (file: any) => {
        const ref = { fromOutput: { change: 'kms.key', path: 'KeyMetadata.Description' } };
        file.changes[3].call.input.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID =
          ref;
        file.changes[3].after.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID = ref;
      },
      'changes[3].call.input.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID: must be a KMS key ARN, alias or key ID, or the key this plan creates',
    ],
    [
      'an alias in the reserved alias/aws/ space',
      // biome-ignore lint/suspicious/noExplicitAny: edits the JSON.
      (file: any) => {
        file.changes[1].call.input.AliasName = 'alias/aws/s3';
        file.changes[1].after.AliasName = 'alias/aws/s3';
      },
      'changes[1].call.input.AliasName: alias/aws/ is reserved for AWS managed keys',
    ],
  ])('rejects %s', (_name, edit, message) => {
    const text = rejected(edited(edit as (file: unknown) => void));
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
  });

  it('the review shows every field that changes, the created key by reference', () => {
    const planned = plan();
    const text = linesToText(renderPlan(planned));
    expect(text).toContain(
      [
        '+ KMS key (new, customer managed)  (kms:CreateKey)',
        '    (none before)',
        `    + Description: s3-harden: default encryption for ${BUCKET}`,
        '    + KeySpec: SYMMETRIC_DEFAULT',
        '    + KeyUsage: ENCRYPT_DECRYPT',
        `    + Tag s3-harden:bucket: ${BUCKET}`,
        // The plan's id and the change: how the key is found again after a lost answer.
        '    + Tag s3-harden:change: kms.key',
        `    + Tag s3-harden:plan: ${planned.id}`,
        '    + Policy:',
        '    + {',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        '+ KMS key alias  (kms:CreateAlias)',
        '    (none before)',
        `    + AliasName: alias/s3-harden-${BUCKET}`,
        "    + TargetKeyId: <the new KMS key's KeyId, once created>",
      ].join('\n'),
    );
    expect(text).toContain('    + KeyRotationEnabled  true');
    expect(text).toContain(
      [
        '~ Default encryption  (s3:PutBucketEncryption)',
        '    - SSEAlgorithm: AES256',
        '    + SSEAlgorithm: aws:kms',
        "    + KMSMasterKeyID: <the new KMS key's Arn, once created>",
        '    + BucketKeyEnabled: true',
      ].join('\n'),
    );
    expect(text).toContain('Plan: 3 to add, 1 to change, 0 to remove (0 irreversible).');
  });

  it('the review keeps unchanged lines and shows an SSE-C block staying', () => {
    const before = { Rules: [{ ...SSE_S3.Rules[0], BlockedEncryptionTypes: BLOCK_SSE_C }] };
    const text = linesToText(
      renderPlan(
        buildPlan(at(before), 'custom', ['encryption'], {
          encryption: { ...ANSWERS, key: KEY_ARN, bucketKey: false },
        }),
      ),
    );
    expect(text).toContain(
      [
        '    - SSEAlgorithm: AES256',
        '    + SSEAlgorithm: aws:kms',
        `    + KMSMasterKeyID: ${KEY_ARN}`,
        '      BlockedEncryptionTypes: SSE-C',
      ].join('\n'),
    );
  });
});

describe('reading the KMS keys (one scan: ListAliases, then DescribeKey, then rotation and policy per key)', () => {
  const target = { accountId: ACCOUNT_ID, region: 'us-east-1', bucket: BUCKET };
  const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const arnOf = (id: string) => `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/${id}`;

  interface FakeKey {
    readonly id: string;
    readonly aliases: string[];
    readonly description?: string;
    readonly state?: string;
    readonly manager?: string;
    readonly spec?: string;
    readonly rotation?: boolean | Error;
    readonly describe?: Error;
  }

  /** A fake session `send` over these keys; ListAliases pages `pageSize` aliases at a time. */
  function fakeKms(keys: readonly FakeKey[], pageSize = 100) {
    const aliases = keys.flatMap((key) =>
      key.aliases.map((AliasName) => ({ AliasName, TargetKeyId: key.id })),
    );
    const calls: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const sendFake = async (call: { operation: string; input: Record<string, unknown> }) => {
      calls.push(call.operation);
      if (call.operation === 'ListAliases') {
        const start = Number(call.input.Marker ?? 0);
        const next = start + pageSize;
        return {
          Aliases: aliases.slice(start, next),
          Truncated: next < aliases.length,
          ...(next < aliases.length ? { NextMarker: String(next) } : {}),
        };
      }
      const key = keys.find((candidate) => candidate.id === call.input.KeyId);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      if (!key) throw Object.assign(new Error('gone'), { code: 'NotFoundException' });
      if (call.operation === 'DescribeKey') {
        if (key.describe) throw key.describe;
        return {
          KeyMetadata: {
            KeyId: key.id,
            Arn: arnOf(key.id),
            Description: key.description ?? '',
            KeyState: key.state ?? 'Enabled',
            KeyManager: key.manager ?? 'CUSTOMER',
            KeySpec: key.spec ?? 'SYMMETRIC_DEFAULT',
            KeyUsage:
              key.spec && key.spec !== 'SYMMETRIC_DEFAULT' ? 'SIGN_VERIFY' : 'ENCRYPT_DECRYPT',
          },
        };
      }
      if (key.rotation instanceof Error) throw key.rotation;
      return { KeyRotationEnabled: key.rotation ?? false };
    };
    return {
      send: sendFake as unknown as ReadSend,
      calls,
      maxInFlight: () => maxInFlight,
    };
  }

  const read = (resource: ResourceKey, send: ReadSend) => {
    const reader = READERS[resource];
    if (!('query' in reader)) throw new Error(`${resource} is not a query reader`);
    return reader.query(target, send);
  };

  it('lists the keys with aliases, pages through ListAliases, describes a few keys at a time', async () => {
    const keys = Array.from({ length: 30 }, (_, n) => ({
      id: uuid(n),
      aliases: [`alias/key-${String(n).padStart(2, '0')}`],
      rotation: n % 2 === 0,
    }));
    const fake = fakeKms(keys, 7);
    const listed = (await read('account.kmsKeys', fake.send)) as KmsKeySummary[];
    expect(listed).toHaveLength(30);
    expect(listed[0]).toEqual({
      keyId: uuid(0),
      arn: arnOf(uuid(0)),
      aliases: ['alias/key-00'],
      state: 'Enabled',
      rotation: true,
      manager: 'CUSTOMER',
    });
    expect(fake.calls.filter((call) => call === 'ListAliases')).toHaveLength(5);
    expect(fake.maxInFlight()).toBeGreaterThan(1);
    // At most 8 keys at a time, each with its rotation and policy asked together.
    expect(fake.maxInFlight()).toBeLessThanOrEqual(16);
  });

  it('the reads ahead of a listing are the very calls the scan makes: through one memo, each is sent once', async () => {
    const keys = [
      { id: uuid(1), aliases: ['alias/one'], rotation: true },
      { id: uuid(2), aliases: ['alias/two'] },
      { id: uuid(3), aliases: ['alias/aws/s3'], manager: 'AWS' },
    ];
    const before = (await read('account.kmsKeys', fakeKms(keys).send)) as KmsKeySummary[];
    const fake = fakeKms(keys);
    const memo = new Map<string, Promise<Record<string, unknown>>>();
    const once: ReadSend = (call) => {
      const key = JSON.stringify(call);
      if (!memo.has(key)) memo.set(key, fake.send(call));
      return memo.get(key) as Promise<Record<string, unknown>>;
    };
    const ahead = readsAhead({ 'account.kmsKeys': before }, ['kms.key']);
    // Described, and for a customer managed key its rotation and policy too.
    expect(ahead.map((call) => `${call.operation} ${call.input.KeyId}`).toSorted()).toEqual(
      [
        `DescribeKey ${uuid(1)}`,
        `GetKeyRotationStatus ${uuid(1)}`,
        `GetKeyPolicy ${uuid(1)}`,
        `DescribeKey ${uuid(2)}`,
        `GetKeyRotationStatus ${uuid(2)}`,
        `GetKeyPolicy ${uuid(2)}`,
        `DescribeKey ${uuid(3)}`,
      ].toSorted(),
    );
    for (const call of ahead) once(call).catch(() => {});
    const after = await read('account.kmsKeys', once);
    expect(after).toEqual(before);
    // The scan asked nothing the reads ahead had not: one ListAliases more, that is all.
    expect(fake.calls.toSorted()).toEqual(
      [...ahead.map((call) => call.operation), 'ListAliases'].toSorted(),
    );
    // Nothing ahead when no key resource is read, or nothing was listed before.
    expect(readsAhead({ 'account.kmsKeys': before }, ['bucket.versioning'])).toEqual([]);
    expect(readsAhead({}, ['kms.key'])).toEqual([]);
  });

  it('leaves out AWS managed aliases (but aws/s3), keys that are gone, and keys S3 cannot use', async () => {
    const fake = fakeKms([
      { id: uuid(1), aliases: ['alias/aws/ebs', 'alias/aws/rds'] },
      { id: uuid(2), aliases: ['alias/aws/s3'], manager: 'AWS' },
      { id: uuid(3), aliases: ['alias/signing'], spec: 'RSA_2048' },
      { id: uuid(4), aliases: ['alias/b', 'alias/a'], state: 'PendingDeletion' },
      {
        id: uuid(5),
        aliases: ['alias/imported'],
        rotation: Object.assign(new Error('no'), { code: 'UnsupportedOperationException' }),
      },
    ]);
    const sendWithGone: ReadSend = async (call) =>
      call.operation === 'ListAliases'
        ? {
            ...(await fake.send(call)),
            Aliases: [
              ...((await fake.send(call)).Aliases as object[]),
              { AliasName: 'alias/orphan', TargetKeyId: uuid(9) },
            ],
          }
        : fake.send(call);
    const listed = (await read('account.kmsKeys', sendWithGone)) as KmsKeySummary[];
    expect(
      listed.map((key) => [key.aliases.join(' '), key.manager, key.state, key.rotation]),
    ).toEqual([
      ['alias/a alias/b', 'CUSTOMER', 'PendingDeletion', null],
      ['alias/aws/s3', 'AWS', 'Enabled', null],
      ['alias/imported', 'CUSTOMER', 'Enabled', null],
    ]);
    // No rotation call for AWS managed keys or keys pending deletion.
    expect(fake.calls.filter((call) => call === 'GetKeyRotationStatus')).toHaveLength(1);
  });

  it('a denied DescribeKey or GetKeyRotationStatus makes the list unreadable (not a partial list)', async () => {
    const denied = new AwsError(
      'access-denied',
      'Access denied: kms:DescribeKey.',
      'AccessDeniedException',
    );
    await expect(
      read(
        'account.kmsKeys',
        fakeKms([{ id: uuid(1), aliases: ['alias/x'], describe: denied }]).send,
      ),
    ).rejects.toBe(denied);
    await expect(
      read(
        'account.kmsKeys',
        fakeKms([{ id: uuid(1), aliases: ['alias/x'], rotation: denied }]).send,
      ),
    ).rejects.toBe(denied);
  });

  it("finds the bucket's own key by its description, and no longer once it is pending deletion", async () => {
    const own = {
      id: uuid(1),
      aliases: ['alias/mine'],
      description: keyDescription(BUCKET),
      rotation: true,
    };
    const other = { id: uuid(2), aliases: ['alias/other'], description: keyDescription('other') };
    const live = fakeKms([own, other]);
    expect(await read('kms.key', live.send)).toEqual({
      Description: keyDescription(BUCKET),
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
    });
    expect(await read('kms.alias', live.send)).toEqual({
      AliasName: 'alias/mine',
      TargetKeyId: uuid(1),
    });
    expect(await read('kms.rotation', live.send)).toEqual({ KeyRotationEnabled: true });
    const pending = fakeKms([{ ...own, state: 'PendingDeletion' }, other]);
    for (const resource of ['kms.key', 'kms.alias', 'kms.rotation'] as const) {
      expect(await read(resource, pending.send)).toBeNull();
    }
    expect(await read('kms.rotation', fakeKms([{ ...own, rotation: false }]).send)).toBeNull();
  });

  it('reads started together share one scan', async () => {
    const fake = fakeKms([{ id: uuid(1), aliases: ['alias/x'] }]);
    await Promise.all(
      (['account.kmsKeys', 'kms.key', 'kms.alias', 'kms.rotation'] as const).map((resource) =>
        read(resource, fake.send),
      ),
    );
    expect(fake.calls).toEqual([
      'ListAliases',
      'DescribeKey',
      'GetKeyRotationStatus',
      'GetKeyPolicy',
    ]);
    await read('kms.key', fake.send);
    expect(fake.calls.filter((call) => call === 'ListAliases')).toHaveLength(2);
  });
});

describe('encryption step: a bucket that receives server access logs', () => {
  const GRANT = {
    Sid: 'S3ServerAccessLogsPolicy',
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: `arn:aws:s3:::${BUCKET}/logs/*`,
  };
  const BY_POLICY = 'its policy allows logging.s3.amazonaws.com: Sid "S3ServerAccessLogsPolicy"';
  const logTarget = (
    encryption: EncryptionConfiguration | null,
    values: Partial<PostureValues> = {},
  ) =>
    at(encryption, { 'bucket.policy': { Version: '2012-10-17', Statement: [GRANT] }, ...values });
  const noteTexts = (fields: Field[]) =>
    fields.flatMap((field) => (field.kind === 'note' ? [`${field.tone}: ${field.text}`] : []));
  const NOTE = `SSE-S3, not KMS: ${BUCKET} receives server access logs (${BY_POLICY}), and S3 delivers them only into SSE-S3 buckets`;
  const STOPS = `log delivery stops: ${BUCKET} receives server access logs (${BY_POLICY}), and S3 cannot deliver them into a bucket whose default encryption is SSE-KMS or DSSE-KMS`;

  it.each(['strict', 'worm', 'baseline', 'custom'] as const)(
    '%s proposes SSE-S3 where nothing is set, and plans it with the note',
    (preset) => {
      const state = logTarget(null);
      const answers = encryptionStep.defaults(state, preset);
      expect(answers.algorithm).toBe('SSE-S3');
      const [change, ...rest] = encryptionStep.plan(state, answers);
      expect(rest).toEqual([]);
      expect(change?.after).toEqual(SSE_S3_BLOCKED);
      expect(change?.warnings).toContain(NOTE);
      expect(noteTexts(encryptionStep.fields(state, answers))).toContain(`info: ${NOTE}.`);
    },
  );

  it('strict keeps SSE-S3 already there: nothing to do, and no KMS key', () => {
    const state = logTarget(SSE_S3_BLOCKED);
    const answers = encryptionStep.defaults(state, 'strict');
    expect(answers.algorithm).toBe('SSE-S3');
    expect(encryptionStep.plan(state, answers)).toEqual([]);
  });

  it('a legacy ACL grant to the LogDelivery group counts too', () => {
    const state = at(null, { 'bucket.acl': [{ Grantee: 'LogDelivery', Permission: 'WRITE' }] });
    const answers = encryptionStep.defaults(state, 'strict');
    expect(answers.algorithm).toBe('SSE-S3');
    expect(encryptionStep.plan(state, answers)[0]?.warnings).toContain(
      `SSE-S3, not KMS: ${BUCKET} receives server access logs (its ACL grants the LogDelivery group WRITE), and S3 delivers them only into SSE-S3 buckets`,
    );
  });

  it('a Deny to the log delivery service, or a grant to another service, is not a log target', () => {
    for (const statement of [
      { ...GRANT, Effect: 'Deny' },
      { ...GRANT, Principal: { Service: 'cloudtrail.amazonaws.com' } },
    ]) {
      const state = at(null, { 'bucket.policy': { Statement: [statement] } });
      expect(encryptionStep.defaults(state, 'strict').algorithm).toBe('SSE-KMS');
    }
  });

  it('picking KMS anyway warns first that log delivery stops, in the form and on the change', () => {
    const state = logTarget(SSE_S3);
    for (const algorithm of ['SSE-KMS', 'DSSE-KMS'] as const) {
      const answers = { ...ANSWERS, algorithm };
      // A warning, not a block: the grant may be stale, and the choice stays the operator's.
      expect(encryptionStep.validate(answers)).toEqual([]);
      const planned = encryptionStep.plan(state, answers);
      expect(byId(planned, 'bucket.encryption').warnings[0]).toBe(STOPS);
      expect(noteTexts(encryptionStep.fields(state, answers))).toContain(
        `warning: L${STOPS.slice(1)}.`,
      );
    }
    // The same choice on a bucket that receives no logs carries no such warning.
    const plain = byId(encryptionStep.plan(at(SSE_S3), ANSWERS), 'bucket.encryption');
    expect(plain.warnings.join('\n')).not.toMatch(/log delivery/);
  });

  it('already on KMS: kept as it is, the form says delivery fails and how to restore it', () => {
    const state = logTarget(kms(KEY_ARN, { BucketKeyEnabled: true, ...BLOCKED }));
    for (const preset of ['baseline', 'strict'] as const) {
      const answers = encryptionStep.defaults(state, preset);
      expect(answers.algorithm).toBe('keep');
      expect(encryptionStep.plan(state, answers)).toEqual([]);
      expect(noteTexts(encryptionStep.fields(state, answers))).toContain(
        `warning: Log delivery into ${BUCKET} fails now: it receives server access logs (${BY_POLICY}) but has KMS default encryption. Choose SSE-S3 to restore it.`,
      );
    }
    const [change] = encryptionStep.plan(state, { ...ANSWERS, algorithm: 'SSE-S3' });
    expect(change?.after).toEqual(SSE_S3_BLOCKED);
    expect(change?.warnings).toContain(NOTE);
  });

  it('without its policy or ACL read, the step is skipped and says why', () => {
    const denied = posture(
      { 'bucket.encryption': null, 'bucket.acl': [] },
      { 'bucket.policy': 'Access denied: s3:GetBucketPolicy.' },
    );
    expect(unavailableReason('encryption', denied)).toBe(
      'cannot read Bucket policy: Access denied: s3:GetBucketPolicy.',
    );
    const plan = buildPlan(denied, 'strict', ['encryption'], {
      encryption: encryptionStep.defaults(denied, 'strict'),
    });
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        step: 'Default encryption',
        reason: 'cannot read Bucket policy: Access denied: s3:GetBucketPolicy.',
      },
    ]);
  });
});
