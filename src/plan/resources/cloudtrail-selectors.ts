/**
 * CloudTrail event selectors, as plain data, and the two judgements the
 * CloudTrail data events step and the audit make of them: which of a
 * bucket's object-level data events a trail's selectors log (read, write,
 * both or neither), and the selectors with one for the bucket added.
 *
 * A trail has either basic selectors (EventSelectors: ReadWriteType and
 * DataResources of type AWS::S3::Object, whose Values are ARN prefixes) or
 * advanced ones (AdvancedEventSelectors: field conditions ANDed within a
 * selector, selectors ORed). The judgement is conservative: a condition it
 * cannot prove lets every object through (another field, an EndsWith, an
 * exclusion that reaches into the bucket) counts as not logging the bucket,
 * so "logged" is never claimed for a bucket whose events a trail filters.
 *
 * Selectors are kept as read, every field included: what s3-harden writes
 * back (the selectors with its own appended, and the undo) carries every
 * existing selector unchanged. Only comparisons normalise (canonicalSelectors:
 * AWS fills in a basic selector's defaults when it reads one back).
 */
import { deepEqual } from '../model/deep-equal.js';

export interface DataResource {
  readonly Type?: string;
  readonly Values?: readonly string[];
  readonly [key: string]: unknown;
}

/** A basic event selector as CloudTrail returns it. */
export interface BasicSelector {
  readonly ReadWriteType?: string;
  readonly IncludeManagementEvents?: boolean;
  readonly DataResources?: readonly DataResource[];
  readonly ExcludeManagementEventSources?: readonly string[];
  readonly [key: string]: unknown;
}

export const FIELD_OPERATORS = [
  'Equals',
  'StartsWith',
  'EndsWith',
  'NotEquals',
  'NotStartsWith',
  'NotEndsWith',
] as const;
export type FieldOperator = (typeof FIELD_OPERATORS)[number];

/** One condition of an advanced selector: a field and its operators' values. */
export type FieldSelector = {
  readonly Field: string;
  readonly [key: string]: unknown;
} & { readonly [K in FieldOperator]?: readonly string[] };

export interface AdvancedSelector {
  readonly Name?: string;
  readonly FieldSelectors: readonly FieldSelector[];
  readonly [key: string]: unknown;
}

/** A trail's selectors: one form or the other, never both. */
export type Selectors =
  | { readonly EventSelectors: readonly BasicSelector[] }
  | { readonly AdvancedEventSelectors: readonly AdvancedSelector[] };

/** Which object-level S3 data events are logged. */
export interface Coverage {
  readonly read: boolean;
  readonly write: boolean;
}

export const NO_COVERAGE: Coverage = { read: false, write: false };
const BOTH: Coverage = { read: true, write: true };

export function isAdvanced(
  selectors: Selectors,
): selectors is { readonly AdvancedEventSelectors: readonly AdvancedSelector[] } {
  return 'AdvancedEventSelectors' in selectors;
}

function union(a: Coverage, b: Coverage): Coverage {
  return { read: a.read || b.read, write: a.write || b.write };
}

function intersect(a: Coverage, b: Coverage): Coverage {
  return { read: a.read && b.read, write: a.write && b.write };
}

/**
 * What the judgement is about: every object of one bucket, or (no bucket)
 * every object of every bucket of the partition — what Security Hub's
 * S3.22/S3.23 ask a multi-Region trail for.
 */
export interface Scope {
  readonly partition: string;
  readonly bucket?: string;
}

/** The ARN prefix every object in scope starts with. */
function objectPrefix(scope: Scope): string {
  return `arn:${scope.partition}:s3:::${scope.bucket === undefined ? '' : `${scope.bucket}/`}`;
}

/** A basic data resource value that logs every object in scope (values are ARN prefixes). */
function basicValueCovers(value: string, scope: Scope): boolean {
  const all = [`arn:${scope.partition}:s3`, `arn:${scope.partition}:s3:::`];
  if (all.includes(value)) return true;
  const bucket = `arn:${scope.partition}:s3:::${scope.bucket}`;
  return scope.bucket !== undefined && (value === bucket || value === `${bucket}/`);
}

function basicCoverage(selector: BasicSelector, scope: Scope): Coverage {
  const logs = (selector.DataResources ?? []).some(
    (resource) =>
      resource.Type === 'AWS::S3::Object' &&
      (resource.Values ?? []).some((value) => basicValueCovers(value, scope)),
  );
  if (!logs) return NO_COVERAGE;
  const type = selector.ReadWriteType ?? 'All';
  if (type === 'All') return BOTH;
  if (type === 'ReadOnly') return { read: true, write: false };
  if (type === 'WriteOnly') return { read: false, write: true };
  return NO_COVERAGE;
}

const values = (field: FieldSelector, operator: FieldOperator): readonly string[] | undefined => {
  const list = field[operator];
  return Array.isArray(list) && list.length > 0 ? list : undefined;
};

/** Operators other than `allowed` that carry values. */
function otherOperators(field: FieldSelector, allowed: readonly FieldOperator[]): boolean {
  return FIELD_OPERATORS.some(
    (operator) => !allowed.includes(operator) && values(field, operator) !== undefined,
  );
}

/** An exact-value field (eventCategory, resources.type, eventSource) lets `wanted` through. */
function admits(field: FieldSelector, wanted: string): boolean {
  if (otherOperators(field, ['Equals', 'NotEquals'])) return false;
  const equals = values(field, 'Equals');
  const notEquals = values(field, 'NotEquals');
  return (equals === undefined || equals.includes(wanted)) && !notEquals?.includes(wanted);
}

/** resources.ARN lets every object in scope through. */
function arnAdmitsAll(field: FieldSelector, scope: Scope): boolean {
  const prefix = objectPrefix(scope);
  // Exact ARNs and suffixes name some objects, never all of them.
  if (values(field, 'Equals') || values(field, 'EndsWith') || values(field, 'NotEndsWith')) {
    return false;
  }
  const startsWith = values(field, 'StartsWith');
  if (startsWith && !startsWith.some((value) => prefix.startsWith(value))) return false;
  // An exclusion reaching into the scope leaves some of its objects out.
  const excluded = [
    ...(values(field, 'NotStartsWith') ?? []),
    ...(values(field, 'NotEquals') ?? []),
  ];
  return !excluded.some((value) => prefix.startsWith(value) || value.startsWith(prefix));
}

/** readOnly: which of read ("true") and write ("false") events get through. */
function readOnlyCoverage(field: FieldSelector): Coverage {
  if (otherOperators(field, ['Equals', 'NotEquals'])) return NO_COVERAGE;
  return { read: admits(field, 'true'), write: admits(field, 'false') };
}

function advancedCoverage(selector: AdvancedSelector, scope: Scope): Coverage {
  const fields = Array.isArray(selector.FieldSelectors) ? selector.FieldSelectors : [];
  const named = (name: string) => fields.filter((field) => field.Field === name);
  // Data events of S3 objects: both conditions are required of a data selector.
  const category = named('eventCategory');
  const type = named('resources.type');
  if (category.length === 0 || !category.every((field) => admits(field, 'Data'))) {
    return NO_COVERAGE;
  }
  if (type.length === 0 || !type.every((field) => admits(field, 'AWS::S3::Object'))) {
    return NO_COVERAGE;
  }
  let coverage = BOTH;
  for (const field of fields) {
    switch (field.Field) {
      case 'eventCategory':
      case 'resources.type':
        break;
      case 'eventSource':
        if (!admits(field, 's3.amazonaws.com')) return NO_COVERAGE;
        break;
      case 'resources.ARN':
        if (!arnAdmitsAll(field, scope)) return NO_COVERAGE;
        break;
      case 'readOnly':
        coverage = intersect(coverage, readOnlyCoverage(field));
        break;
      default:
        // eventName, userIdentity.arn, errorCode, vpcEndpointId…: some events only.
        return NO_COVERAGE;
    }
  }
  return coverage;
}

/** Which object-level data events in `scope` the selectors log. */
export function selectorsCoverage(selectors: Selectors, scope: Scope): Coverage {
  if (isAdvanced(selectors)) {
    return selectors.AdvancedEventSelectors.reduce(
      (sum, selector) => union(sum, advancedCoverage(selector, scope)),
      NO_COVERAGE,
    );
  }
  return selectors.EventSelectors.reduce(
    (sum, selector) => union(sum, basicCoverage(selector, scope)),
    NO_COVERAGE,
  );
}

/** The name of the advanced selector s3-harden adds for a bucket: how it finds it again. */
export function selectorName(bucket: string): string {
  return `s3-harden: ${bucket}`;
}

/** The advanced selector logging every data event of the bucket's objects. */
export function bucketAdvancedSelector(bucket: string, partition: string): AdvancedSelector {
  return {
    Name: selectorName(bucket),
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      { Field: 'resources.ARN', StartsWith: [`arn:${partition}:s3:::${bucket}/`] },
    ],
  };
}

/**
 * The basic selector logging every data event of the bucket's objects and no
 * management events, with every field CloudTrail reads back (so the write
 * reads back as written).
 */
export function bucketBasicSelector(bucket: string, partition: string): BasicSelector {
  return {
    ReadWriteType: 'All',
    IncludeManagementEvents: false,
    DataResources: [{ Type: 'AWS::S3::Object', Values: [`arn:${partition}:s3:::${bucket}/`] }],
    ExcludeManagementEventSources: [],
  };
}

/** CloudTrail's limits on one trail's selectors. */
export const MAX_BASIC_SELECTORS = 5;
export const MAX_DATA_RESOURCES = 250;
export const MAX_ADVANCED_VALUES = 500;

function advancedValueCount(selectors: readonly AdvancedSelector[]): number {
  return selectors
    .flatMap((selector) => (Array.isArray(selector.FieldSelectors) ? selector.FieldSelectors : []))
    .reduce(
      (sum, field) =>
        sum + FIELD_OPERATORS.reduce((count, op) => count + (values(field, op)?.length ?? 0), 0),
      0,
    );
}

/**
 * The selectors with the bucket's own added in the trail's form: appended,
 * every existing selector kept as it is (an advanced one s3-harden named for
 * this bucket earlier that no longer logs it is replaced where it stands).
 * A `problem` instead when CloudTrail's limits leave no room.
 */
export function withBucketSelector(
  selectors: Selectors,
  bucket: string,
  partition: string,
): { readonly selectors: Selectors } | { readonly problem: string } {
  if (isAdvanced(selectors)) {
    const mine = bucketAdvancedSelector(bucket, partition);
    const existing = selectors.AdvancedEventSelectors;
    const at = existing.findIndex((selector) => selector.Name === mine.Name);
    const next = at >= 0 ? existing.map((s, i) => (i === at ? mine : s)) : [...existing, mine];
    if (advancedValueCount(next) > MAX_ADVANCED_VALUES) {
      return {
        problem: `its advanced event selectors would have more than ${MAX_ADVANCED_VALUES} condition values, the most CloudTrail allows`,
      };
    }
    return { selectors: { AdvancedEventSelectors: next } };
  }
  const existing = selectors.EventSelectors;
  if (existing.length >= MAX_BASIC_SELECTORS) {
    return {
      problem: `it has ${existing.length} basic event selectors, the most CloudTrail allows: add arn:${partition}:s3:::${bucket}/ to one of its S3 data resources, or switch it to advanced event selectors`,
    };
  }
  const resources = existing.reduce((sum, s) => sum + (s.DataResources?.length ?? 0), 0);
  if (resources + 1 > MAX_DATA_RESOURCES) {
    return {
      problem: `it has ${resources} data resources, the most CloudTrail allows across a trail's basic event selectors`,
    };
  }
  return { selectors: { EventSelectors: [...existing, bucketBasicSelector(bucket, partition)] } };
}

/** withBucketSelector for each bucket in turn; the first problem stops it. */
export function withBucketSelectors(
  selectors: Selectors,
  buckets: readonly string[],
  partition: string,
): { readonly selectors: Selectors } | { readonly problem: string } {
  let result: { readonly selectors: Selectors } | { readonly problem: string } = { selectors };
  for (const bucket of buckets) {
    if ('problem' in result) return result;
    result = withBucketSelector(result.selectors, bucket, partition);
  }
  return result;
}

/** CloudTrail's selector for "management events, read and write": a new trail's default. */
export const MANAGEMENT_SELECTOR: AdvancedSelector = {
  Name: 'Management events selector',
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
};

const DEFAULT_BASIC: BasicSelector = {
  ReadWriteType: 'All',
  IncludeManagementEvents: true,
  DataResources: [],
  ExcludeManagementEventSources: [],
};

function canonicalBasic(selector: BasicSelector): BasicSelector {
  return {
    ...selector,
    ReadWriteType: selector.ReadWriteType ?? 'All',
    IncludeManagementEvents: selector.IncludeManagementEvents ?? true,
    DataResources: (selector.DataResources ?? []).map((resource) => ({
      ...resource,
      Values: resource.Values ?? [],
    })),
    ExcludeManagementEventSources: selector.ExcludeManagementEventSources ?? [],
  };
}

function canonicalAdvanced(selector: AdvancedSelector): AdvancedSelector {
  const { Name, ...rest } = selector;
  return {
    ...rest,
    ...(Name ? { Name } : {}),
    FieldSelectors: (Array.isArray(selector.FieldSelectors) ? selector.FieldSelectors : []).map(
      (field) =>
        Object.fromEntries(
          Object.entries(field).filter(([, value]) => !Array.isArray(value) || value.length > 0),
        ) as FieldSelector,
    ),
  };
}

/**
 * The selectors as compared: a basic selector with CloudTrail's defaults
 * filled in, an advanced one without empty operator lists or an empty name.
 */
export function canonicalSelectors(selectors: Selectors): Selectors {
  return isAdvanced(selectors)
    ? { AdvancedEventSelectors: selectors.AdvancedEventSelectors.map(canonicalAdvanced) }
    : { EventSelectors: selectors.EventSelectors.map(canonicalBasic) };
}

export function sameSelectors(a: Selectors, b: Selectors): boolean {
  return deepEqual(canonicalSelectors(a), canonicalSelectors(b));
}

/**
 * Selectors as a trail has them when it is created: management events, read
 * and write, and no data events (the emulator reads a new trail as having
 * none at all).
 */
export function isCreationDefault(selectors: Selectors): boolean {
  if (isAdvanced(selectors)) {
    const [only, ...rest] = selectors.AdvancedEventSelectors;
    return (
      only !== undefined &&
      rest.length === 0 &&
      deepEqual(
        canonicalAdvanced({ ...only, Name: '' }).FieldSelectors,
        MANAGEMENT_SELECTOR.FieldSelectors,
      )
    );
  }
  const list = selectors.EventSelectors;
  return (
    list.length === 0 ||
    (list.length === 1 && deepEqual(canonicalBasic(list[0] as BasicSelector), DEFAULT_BASIC))
  );
}

/** One line: what the selectors log of the scope ("read and write", "write only"…). */
export function describeCoverage(coverage: Coverage): string {
  if (coverage.read && coverage.write) return 'read and write data events';
  if (coverage.write) return 'write data events only (no reads)';
  if (coverage.read) return 'read data events only (no writes)';
  return 'no data events';
}
