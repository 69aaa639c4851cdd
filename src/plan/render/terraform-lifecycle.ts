/**
 * A lifecycle rule as the body of aws_s3_bucket_lifecycle_configuration's
 * `rule` block; a field with no Terraform argument here is named in `notes`.
 */
import type { LifecycleRule } from '../resources/lifecycle.js';
import { type Body, hclString, raw } from './hcl.js';

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

export function lifecycleRule(rule: LifecycleRule, notes: string[]): Body[number] {
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
