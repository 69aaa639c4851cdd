/**
 * A plan as Terraform (HCL): the bucket's hardened state — each resource as
 * the plan leaves it (the `after` of its last change), else as it was read —
 * so a team that owns the bucket in Terraform adopts the change instead of
 * reverting it. What exists already gets an `import` block (Terraform 1.5
 * and later); what the plan creates (a KMS key and its alias) does not.
 *
 * Not expressed yet, each named in a comment where it applies: the log
 * target bucket's resources, the families without a Terraform resource here
 * (Macie, CloudTrail, replication, access points…), the bucket's tags (the
 * reading holds none), and a key s3-harden created in an earlier run (its
 * ID is not in the reading). Pure: the caller writes the file.
 */
import type { OutputRef } from '../model/call.js';
import type { Plan, PostureValues, ResourceKey } from '../model/types.js';
import { policyJson } from '../policy/document.js';
import type { EncryptionConfiguration } from '../resources/encryption.js';
import type { KmsAliasValue, KmsKeyValue } from '../resources/kms.js';
import type { LifecycleConfiguration, LifecycleRule } from '../resources/lifecycle.js';
import type { LoggingEnabled } from '../resources/logging.js';
import type { ObjectLockConfiguration } from '../resources/object-lock.js';
import type { OwnershipControls } from '../resources/object-ownership.js';
import type { VersioningConfiguration } from '../resources/versioning.js';

/** The resources this renderer writes (the rest are named in a comment when the plan changes them). */
const EXPRESSED = new Set<string>([
  'bucket.exists',
  'bucket.publicAccessBlock',
  'account.publicAccessBlock',
  'bucket.ownershipControls',
  'bucket.encryption',
  'bucket.versioning',
  'bucket.logging',
  'bucket.policy',
  'bucket.lifecycle',
  'bucket.objectLock',
  'kms.key',
  'kms.alias',
  'kms.rotation',
]);

/** Read-only readings: never written by a plan, nothing to hand over. */
const READ_ONLY = new Set<string>(['bucket.acl', 'account.kmsKeys']);

/** A string as an HCL quoted literal: escapes, and `${` / `%{` kept literal. */
export function hclString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    const next = text[i + 1];
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if ((char === '$' || char === '%') && next === '{') out += `${char}${char}`;
    else if (char < ' ' || char === '\u007f' || char === '\u2028' || char === '\u2029') {
      out += `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else out += char;
  }
  return `"${out}"`;
}

/** A comment line: one line, no control characters. */
function comment(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return `# ${text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')}`;
}

type Value = string | number | boolean | Raw;
/** An HCL expression written as is (a reference). */
interface Raw {
  readonly raw: string;
}
const raw = (text: string): Raw => ({ raw: text });

function valueText(value: Value): string {
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value.raw;
}

/** A block's body: attributes (`key = value`) and nested blocks, in order. */
type Body = ReadonlyArray<
  | readonly [string, Value | undefined]
  | { readonly block: string; readonly body: Body }
  | { readonly comment: string }
>;

function bodyLines(body: Body, indent: string): string[] {
  const lines: string[] = [];
  for (const item of body) {
    if (Array.isArray(item)) {
      const [key, value] = item as readonly [string, Value | undefined];
      if (value !== undefined) lines.push(`${indent}${key} = ${valueText(value)}`);
    } else if ('block' in item && item.body.length === 0) {
      lines.push(`${indent}${item.block} {}`);
    } else if ('block' in item) {
      lines.push(`${indent}${item.block} {`, ...bodyLines(item.body, `${indent}  `), `${indent}}`);
    } else if ('comment' in item) {
      lines.push(`${indent}${comment(item.comment)}`);
    }
  }
  return lines;
}

function resource(type: string, body: Body, notes: readonly string[] = []): string[] {
  return ['', ...notes.map(comment), `resource "${type}" "this" {`, ...bodyLines(body, '  '), '}'];
}

function importBlock(type: string, id: string): string[] {
  return ['', 'import {', `  to = ${type}.this`, `  id = ${hclString(id)}`, '}'];
}

function isRef(value: unknown): value is OutputRef {
  return typeof value === 'object' && value !== null && 'fromOutput' in value;
}

/** A created key's output, as the Terraform attribute of aws_kms_key.this / aws_kms_alias.this. */
function refExpression(ref: OutputRef): Raw {
  const { change, path } = ref.fromOutput;
  if (change === 'kms.alias') return raw('aws_kms_alias.this.name');
  return raw(path.endsWith('Arn') ? 'aws_kms_key.this.arn' : 'aws_kms_key.this.key_id');
}

/** The plan's changes' resources, and the value each resource is left with. */
export function hardenedValues(plan: Plan): {
  values: Partial<Record<ResourceKey, unknown>>;
  changed: ReadonlySet<ResourceKey>;
} {
  const reading =
    plan.provenance && 'posture' in plan.provenance ? plan.provenance.posture.values : {};
  const values: Partial<Record<ResourceKey, unknown>> = { ...reading, ...plan.observed };
  const changed = new Set<ResourceKey>();
  for (const change of plan.changes) {
    values[change.resource] = change.after;
    changed.add(change.resource);
  }
  return { values, changed };
}

const BUCKET_REF = raw('aws_s3_bucket.this.id');

function lifecycleFilter(rule: LifecycleRule, notes: string[]): Body {
  const filter = (rule.Filter ?? (rule.Prefix !== undefined ? { Prefix: rule.Prefix } : {})) as
    | Record<string, unknown>
    | undefined;
  const body: Array<Body[number]> = [];
  if (!filter) return [{ block: 'filter', body: [] }];
  const tag = (value: unknown) => {
    const { Key, Value } = value as { Key: string; Value: string };
    return { block: 'tag', body: [['key', Key] as const, ['value', Value] as const] };
  };
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'Prefix') body.push(['prefix', String(value)]);
    else if (key === 'ObjectSizeGreaterThan')
      body.push(['object_size_greater_than', Number(value)]);
    else if (key === 'ObjectSizeLessThan') body.push(['object_size_less_than', Number(value)]);
    else if (key === 'Tag') body.push(tag(value));
    else if (key === 'And') {
      const and = value as Record<string, unknown>;
      const tags = (and.Tags as { Key: string; Value: string }[] | undefined) ?? [];
      body.push({
        block: 'and',
        body: [
          ['prefix', and.Prefix as string | undefined],
          ['object_size_greater_than', and.ObjectSizeGreaterThan as number | undefined],
          ['object_size_less_than', and.ObjectSizeLessThan as number | undefined],
          ...(tags.length > 0
            ? [
                [
                  'tags',
                  raw(
                    `{ ${tags.map((t) => `${hclString(t.Key)} = ${hclString(t.Value)}`).join(', ')} }`,
                  ),
                ] as const,
              ]
            : []),
        ],
      });
    } else notes.push(`rule ${rule.ID ?? '(no ID)'}: filter field ${key} is not expressed`);
  }
  return [{ block: 'filter', body }];
}

function lifecycleRule(rule: LifecycleRule, notes: string[]): Body[number] {
  const body: Array<Body[number]> = [
    ['id', rule.ID],
    ['status', rule.Status],
  ];
  body.push(...lifecycleFilter(rule, notes));
  for (const [key, value] of Object.entries(rule)) {
    const v = value as Record<string, unknown>;
    if (key === 'ID' || key === 'Status' || key === 'Filter' || key === 'Prefix') continue;
    if (key === 'Expiration') {
      body.push({
        block: 'expiration',
        body: [
          ['days', v.Days as number | undefined],
          ['date', v.Date as string | undefined],
          ['expired_object_delete_marker', v.ExpiredObjectDeleteMarker as boolean | undefined],
        ],
      });
    } else if (key === 'NoncurrentVersionExpiration') {
      body.push({
        block: 'noncurrent_version_expiration',
        body: [
          ['noncurrent_days', v.NoncurrentDays as number | undefined],
          ['newer_noncurrent_versions', v.NewerNoncurrentVersions as number | undefined],
        ],
      });
    } else if (key === 'AbortIncompleteMultipartUpload') {
      body.push({
        block: 'abort_incomplete_multipart_upload',
        body: [['days_after_initiation', v.DaysAfterInitiation as number | undefined]],
      });
    } else if (key === 'Transitions') {
      for (const t of value as Record<string, unknown>[]) {
        body.push({
          block: 'transition',
          body: [
            ['days', t.Days as number | undefined],
            ['date', t.Date as string | undefined],
            ['storage_class', t.StorageClass as string | undefined],
          ],
        });
      }
    } else if (key === 'NoncurrentVersionTransitions') {
      for (const t of value as Record<string, unknown>[]) {
        body.push({
          block: 'noncurrent_version_transition',
          body: [
            ['noncurrent_days', t.NoncurrentDays as number | undefined],
            ['newer_noncurrent_versions', t.NewerNoncurrentVersions as number | undefined],
            ['storage_class', t.StorageClass as string | undefined],
          ],
        });
      }
    } else notes.push(`rule ${rule.ID ?? '(no ID)'}: field ${key} is not expressed`);
  }
  return { block: 'rule', body };
}

/** The plan as one Terraform file's text. */
export function planToTerraform(plan: Plan): string {
  const { bucket, accountId, region } = plan.target;
  const { values, changed } = hardenedValues(plan);
  const get = <K extends ResourceKey>(key: K) => values[key] as PostureValues[K] | undefined;
  const lines: string[] = [
    comment(`Generated by s3-harden from plan ${plan.id ?? '(no id)'}: bucket ${bucket},`),
    comment(`account ${accountId}, region ${region}, preset ${plan.preset}.`),
    comment('The bucket as `s3-harden apply` of that plan leaves it. Import blocks need Terraform'),
    comment('1.5 or later; merge these into the configuration that owns the bucket.'),
    comment('The reading holds no bucket tags: aws_s3_bucket declares none; add yours (including'),
    comment('any aws:cloudformation:* or Terraform ownership tags) before applying.'),
  ];
  const notExpressed = [...changed].filter((key) => !EXPRESSED.has(key) && !READ_ONLY.has(key));
  if (notExpressed.length > 0) {
    lines.push(comment('Not expressed here (left to s3-harden):'));
    for (let i = 0; i < notExpressed.length; i += 4) {
      const last = i + 4 >= notExpressed.length;
      lines.push(comment(`  ${notExpressed.slice(i, i + 4).join(', ')}${last ? '.' : ','}`));
    }
  }

  // A plan is for a bucket that exists, unless it creates it (then nothing is imported).
  const created = changed.has('bucket.exists');
  const objectLock = get('bucket.objectLock') as ObjectLockConfiguration | null | undefined;
  const lockOn = objectLock?.ObjectLockEnabled === 'Enabled';
  if (!created) lines.push(...importBlock('aws_s3_bucket', bucket));
  lines.push(
    ...resource('aws_s3_bucket', [
      ['bucket', bucket],
      // Forces a new bucket when it differs from the bucket's: it must say what S3 has.
      ['object_lock_enabled', lockOn ? true : undefined],
    ]),
  );

  /** A bucket sub-resource: imported by the bucket's name (it exists unless the plan creates it). */
  const sub = (key: ResourceKey, type: string, body: Body, notes: readonly string[] = []) => {
    const before = plan.observed[key];
    const existed = changed.has(key) ? before !== null && before !== undefined : true;
    if (existed && !created) lines.push(...importBlock(type, bucket));
    lines.push(...resource(type, [['bucket', BUCKET_REF], ...body], notes));
  };

  const pab = get('bucket.publicAccessBlock');
  if (pab) {
    sub('bucket.publicAccessBlock', 'aws_s3_bucket_public_access_block', [
      ['block_public_acls', pab.BlockPublicAcls],
      ['block_public_policy', pab.BlockPublicPolicy],
      ['ignore_public_acls', pab.IgnorePublicAcls],
      ['restrict_public_buckets', pab.RestrictPublicBuckets],
    ]);
  }

  const ownership = get('bucket.ownershipControls') as OwnershipControls | null | undefined;
  if (ownership) {
    sub('bucket.ownershipControls', 'aws_s3_bucket_ownership_controls', [
      { block: 'rule', body: [['object_ownership', ownership.ObjectOwnership]] },
    ]);
  }

  const encryption = get('bucket.encryption') as EncryptionConfiguration | null | undefined;
  if (encryption) {
    const notes: string[] = [];
    const rules = encryption.Rules.map((rule): Body[number] => {
      const byDefault = rule.ApplyServerSideEncryptionByDefault;
      const key = byDefault?.KMSMasterKeyID;
      if (rule.BlockedEncryptionTypes) {
        notes.push(
          `Blocked encryption types (${rule.BlockedEncryptionTypes.EncryptionType.join(', ') || 'none'}) are not expressed: check whether your AWS provider version supports them.`,
        );
      }
      return {
        block: 'rule',
        body: [
          ...(byDefault
            ? [
                {
                  block: 'apply_server_side_encryption_by_default',
                  body: [
                    ['sse_algorithm', byDefault.SSEAlgorithm] as const,
                    ['kms_master_key_id', isRef(key) ? refExpression(key) : key] as const,
                  ],
                },
              ]
            : []),
          ['bucket_key_enabled', rule.BucketKeyEnabled],
        ],
      };
    });
    sub('bucket.encryption', 'aws_s3_bucket_server_side_encryption_configuration', rules, notes);
  }

  const versioning = get('bucket.versioning') as VersioningConfiguration | null | undefined;
  if (versioning) {
    sub('bucket.versioning', 'aws_s3_bucket_versioning', [
      {
        block: 'versioning_configuration',
        body: [
          ['status', versioning.Status],
          ['mfa_delete', versioning.MFADelete],
        ],
      },
    ]);
  }

  const logging = get('bucket.logging') as LoggingEnabled | null | undefined;
  if (logging) {
    const format = logging.TargetObjectKeyFormat;
    sub(
      'bucket.logging',
      'aws_s3_bucket_logging',
      [
        ['target_bucket', logging.TargetBucket],
        ['target_prefix', logging.TargetPrefix],
        ...(format
          ? [
              {
                block: 'target_object_key_format',
                body:
                  'PartitionedPrefix' in format
                    ? [
                        {
                          block: 'partitioned_prefix',
                          body: [
                            [
                              'partition_date_source',
                              format.PartitionedPrefix.PartitionDateSource,
                            ] as const,
                          ],
                        },
                      ]
                    : [{ block: 'simple_prefix', body: [] }],
              },
            ]
          : []),
      ],
      changed.has('logTarget.exists') || [...changed].some((key) => key.startsWith('logTarget.'))
        ? [`The log target bucket ${logging.TargetBucket} and its settings are not expressed here.`]
        : [],
    );
  }

  const policy = get('bucket.policy');
  if (policy) {
    sub(
      'bucket.policy',
      'aws_s3_bucket_policy',
      [['policy', policyJson(policy)]],
      ['The whole policy, every statement kept (those not s3-harden’s as read).'],
    );
  }

  const lifecycle = get('bucket.lifecycle') as LifecycleConfiguration | null | undefined;
  if (lifecycle) {
    const notes: string[] = [];
    const rules = lifecycle.Rules.map((rule) => lifecycleRule(rule, notes));
    sub(
      'bucket.lifecycle',
      'aws_s3_bucket_lifecycle_configuration',
      [
        ['transition_default_minimum_object_size', lifecycle.TransitionDefaultMinimumObjectSize],
        ...rules,
      ],
      notes,
    );
  }

  if (objectLock && lockOn) {
    const retention = objectLock.Rule?.DefaultRetention;
    sub('bucket.objectLock', 'aws_s3_bucket_object_lock_configuration', [
      ['object_lock_enabled', 'Enabled'],
      ...(retention
        ? [
            {
              block: 'rule',
              body: [
                {
                  block: 'default_retention',
                  body: [
                    ['mode', retention.Mode] as const,
                    ['days', retention.Days] as const,
                    ['years', retention.Years] as const,
                  ],
                },
              ],
            },
          ]
        : []),
    ]);
  }

  const account = get('account.publicAccessBlock');
  if (account && changed.has('account.publicAccessBlock')) {
    const before = plan.observed['account.publicAccessBlock'];
    if (before) lines.push(...importBlock('aws_s3_account_public_access_block', accountId));
    lines.push(
      ...resource('aws_s3_account_public_access_block', [
        ['account_id', accountId],
        ['block_public_acls', account.BlockPublicAcls],
        ['block_public_policy', account.BlockPublicPolicy],
        ['ignore_public_acls', account.IgnorePublicAcls],
        ['restrict_public_buckets', account.RestrictPublicBuckets],
      ]),
    );
  }

  const key = get('kms.key') as KmsKeyValue | null | undefined;
  if (key && changed.has('kms.key')) {
    const tags = key.Tags ?? [];
    lines.push(
      ...resource(
        'aws_kms_key',
        [
          ['description', key.Description],
          ['key_usage', key.KeyUsage],
          ['customer_master_key_spec', key.KeySpec],
          ['enable_key_rotation', get('kms.rotation') ? true : undefined],
          ['policy', key.Policy ? policyJson(key.Policy) : undefined],
          [
            'tags',
            tags.length > 0
              ? raw(
                  `{\n${tags.map((tag) => `    ${hclString(tag.TagKey)} = ${hclString(tag.TagValue)}`).join('\n')}\n  }`,
                )
              : undefined,
          ],
        ],
        [
          'Created by `s3-harden apply` (no import block: its ID is known only then). After the apply,',
          'import it: terraform import aws_kms_key.this <key-id>, aws_kms_alias.this <alias-name>.',
        ],
      ),
    );
    const alias = get('kms.alias') as KmsAliasValue | null | undefined;
    if (alias) {
      lines.push(
        ...resource('aws_kms_alias', [
          ['name', alias.AliasName],
          ['target_key_id', raw('aws_kms_key.this.key_id')],
        ]),
      );
    }
  } else if (key) {
    lines.push(
      '',
      comment(
        'The KMS key s3-harden created earlier for this bucket is not expressed: its ID is not in the reading.',
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The file `plan --format terraform --out DIR` writes in DIR. */
export function terraformFileName(bucket: string): string {
  return `s3-harden-${bucket}.tf`;
}
