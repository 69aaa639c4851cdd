/**
 * IAM Access Analyzer: the account's external-access analyzer in the session's
 * region, and what it found about this bucket.
 *
 * - `account.analyzer` — the analyzer findings are read from: an ACTIVE one of
 *   the account (preferred) or of the organization; otherwise any other
 *   external-access analyzer, with its status (a second account analyzer
 *   cannot be created beside it); null = none. s3-harden creates only one
 *   analyzer, `s3-harden-account` (type ACCOUNT), with CreateAnalyzer; its
 *   undo is DeleteAnalyzer of that name. AWS assigns the ARN, so a plan holds
 *   an OutputRef to the CreateAnalyzer output instead.
 * - `bucket.findings` — read-only: the ACTIVE findings whose resource is the
 *   bucket (ListFindingsV2, then GetFindingV2 for who may do what), bounded.
 *
 * Analyzers are regional: they see buckets of their own region only.
 */
import * as z from 'zod';
import type { OutputRef } from '../model/call.js';
import { outputRef } from '../model/output-refs.js';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

/** What an operator reads when the endpoint has no Access Analyzer (the local emulator). */
export const NOT_AVAILABLE_MESSAGE = 'IAM Access Analyzer is not available at this endpoint';

/** The one analyzer s3-harden creates. */
export const ANALYZER_NAME = 's3-harden-account';

/** External-access analyzers: the only kinds whose findings say who outside can reach the bucket. */
export const ANALYZER_TYPES = ['ACCOUNT', 'ORGANIZATION'] as const;
export type AnalyzerType = (typeof ANALYZER_TYPES)[number];

export const ANALYZER_STATUSES = ['ACTIVE', 'CREATING', 'DISABLED', 'FAILED'] as const;
export type AnalyzerStatus = (typeof ANALYZER_STATUSES)[number];

/** The change that creates the analyzer (id = resource key), for the ARN's OutputRef. */
export const ANALYZER_CHANGE = 'account.analyzer';
/** The created analyzer's ARN, from CreateAnalyzer's output. */
export const CREATED_ANALYZER_ARN = outputRef(ANALYZER_CHANGE, 'arn');

export interface AnalyzerValue {
  readonly name: string;
  /** Its ARN; an OutputRef to the CreateAnalyzer output in a plan that creates it. */
  readonly arn: string | OutputRef;
  readonly type: AnalyzerType;
  readonly status: AnalyzerStatus;
  /** Why it is FAILED or DISABLED, as Access Analyzer says (e.g. SERVICE_LINKED_ROLE_CREATION_FAILED). */
  readonly statusReason?: string;
}

/** How an external principal gets access, as Access Analyzer reports the finding's sources. */
export const FINDING_SOURCES = [
  'POLICY',
  'BUCKET_ACL',
  'S3_ACCESS_POINT',
  'S3_ACCESS_POINT_ACCOUNT',
] as const;

/** One active finding on the bucket: who outside the zone of trust may do what. */
export interface AccessFinding {
  readonly id: string;
  /** As Access Analyzer reports it: { AWS: "111122223333" }, { AWS: "*" }, { Service: … }. */
  readonly principal: Readonly<Record<string, string>>;
  /** The actions granted, e.g. s3:GetObject. */
  readonly actions: readonly string[];
  /** The conditions under which access is granted (condition key → value). */
  readonly conditions: Readonly<Record<string, string>>;
  readonly isPublic: boolean;
  /** How access is granted (see FINDING_SOURCES); empty when not reported. */
  readonly sources: readonly string[];
  /** The access points named by the sources. */
  readonly accessPoints: readonly string[];
  /** Why Access Analyzer could not analyse the bucket, if it could not. */
  readonly error?: string;
}

export interface BucketFindings {
  /** The region Access Analyzer was asked in (analyzers see only their region's buckets). */
  readonly region: string;
  /** The analyzer the findings come from; null when there is none to ask. */
  readonly analyzerArn: string | null;
  /** Active findings, public ones first. */
  readonly findings: readonly AccessFinding[];
  /** More active findings exist than were read (MAX_FINDINGS). */
  readonly truncated: boolean;
}

export interface AccessAnalyzerValues {
  /** The external-access analyzer of the session's region; null = none. */
  'account.analyzer': AnalyzerValue | null;
  /**
   * Read-only: the bucket's active findings. Null when not read (a bucket the
   * plan creates has none yet); unreadable when Access Analyzer is denied or
   * not available at the endpoint.
   */
  'bucket.findings': BucketFindings | null;
}

/** At most this many findings are read and shown; the rest are counted as "more". */
export const MAX_FINDINGS = 50;

/** The bucket's ARN, the `resource` Access Analyzer names in its findings. */
export function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

function isAnalyzerType(value: unknown): value is AnalyzerType {
  return (ANALYZER_TYPES as readonly unknown[]).includes(value);
}

function isAnalyzerStatus(value: unknown): value is AnalyzerStatus {
  return (ANALYZER_STATUSES as readonly unknown[]).includes(value);
}

/** The order analyzers are preferred in: active first, the account's before the organization's. */
function rank(analyzer: AnalyzerValue): number {
  return (analyzer.status === 'ACTIVE' ? 0 : 2) + (analyzer.type === 'ACCOUNT' ? 0 : 1);
}

/**
 * The analyzer to read findings from, out of ListAnalyzers' items (all pages):
 * an active account analyzer, else an active organization analyzer, else any
 * other external-access analyzer (its status says why it has no findings);
 * null when there is none. Unused- and internal-access analyzers never count.
 */
export function pickAnalyzer(items: readonly unknown[]): AnalyzerValue | null {
  const candidates: AnalyzerValue[] = [];
  for (const item of items) {
    const raw = (item ?? {}) as {
      name?: unknown;
      arn?: unknown;
      type?: unknown;
      status?: unknown;
      statusReason?: { code?: unknown };
    };
    if (typeof raw.name !== 'string' || raw.name === '') continue;
    if (typeof raw.arn !== 'string' || raw.arn === '') continue;
    if (!isAnalyzerType(raw.type) || !isAnalyzerStatus(raw.status)) continue;
    const reason = raw.statusReason?.code;
    candidates.push({
      name: raw.name,
      arn: raw.arn,
      type: raw.type,
      status: raw.status,
      ...(raw.status !== 'ACTIVE' && typeof reason === 'string' && reason !== ''
        ? { statusReason: reason }
        : {}),
    });
  }
  candidates.sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return candidates[0] ?? null;
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'string') out[key] = inner;
  }
  return out;
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

/**
 * The plain finding from a finding summary (ListFindingsV2) and the external
 * access details of GetFindingV2 (one finding may list several; they are
 * merged). Null when the summary has no ID.
 */
export function normaliseFinding(
  summary: unknown,
  details: readonly unknown[],
): AccessFinding | null {
  const raw = (summary ?? {}) as { id?: unknown; error?: unknown };
  if (typeof raw.id !== 'string' || raw.id === '') return null;
  const principal: Record<string, string> = {};
  const conditions: Record<string, string> = {};
  const actions = new Set<string>();
  const sources = new Set<string>();
  const accessPoints = new Set<string>();
  let isPublic = false;
  for (const detail of details) {
    const external = ((detail ?? {}) as { externalAccessDetails?: unknown }).externalAccessDetails;
    if (typeof external !== 'object' || external === null) continue;
    const access = external as {
      principal?: unknown;
      action?: unknown;
      condition?: unknown;
      isPublic?: unknown;
      sources?: unknown;
    };
    Object.assign(principal, stringRecord(access.principal));
    Object.assign(conditions, stringRecord(access.condition));
    for (const action of strings(access.action)) actions.add(action);
    if (access.isPublic === true) isPublic = true;
    for (const source of Array.isArray(access.sources) ? access.sources : []) {
      const { type, detail: where } = (source ?? {}) as {
        type?: unknown;
        detail?: { accessPointArn?: unknown };
      };
      if (typeof type === 'string' && type !== '') sources.add(type);
      if (typeof where?.accessPointArn === 'string' && where.accessPointArn !== '')
        accessPoints.add(where.accessPointArn);
    }
  }
  return {
    id: raw.id,
    principal,
    actions: [...actions].sort(),
    conditions,
    isPublic,
    sources: [...sources].sort(),
    accessPoints: [...accessPoints].sort(),
    ...(typeof raw.error === 'string' && raw.error !== '' ? { error: raw.error } : {}),
  };
}

/** Public findings first, then by ID: a stable order for the table. */
export function sortFindings(findings: readonly AccessFinding[]): AccessFinding[] {
  return [...findings].sort(
    (a, b) => Number(b.isPublic) - Number(a.isPublic) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

const ANALYZER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,254}$/;

/** Exactly the created analyzer's ARN: a plan never names another analyzer's. */
const createdAnalyzerArn = z.strictObject({
  fromOutput: z.strictObject({ change: z.literal(ANALYZER_CHANGE), path: z.literal('arn') }),
});

export const analyzerValueSchema = z.strictObject({
  name: z.string().regex(ANALYZER_NAME_PATTERN, 'not an analyzer name'),
  arn: z.union([z.string().min(1).max(2048), createdAnalyzerArn]),
  type: z.enum(ANALYZER_TYPES),
  status: z.enum(ANALYZER_STATUSES),
  statusReason: z.string().max(256).optional(),
});

const text = (max: number) => z.string().max(max);

export const accessFindingSchema = z.strictObject({
  id: text(256).min(1),
  principal: z.record(text(256), text(2048)),
  actions: z.array(text(256)).max(1000),
  conditions: z.record(text(256), text(4096)),
  isPublic: z.boolean(),
  sources: z.array(text(64)).max(10),
  accessPoints: z.array(text(2048)).max(100),
  error: text(256).optional(),
});

export const bucketFindingsSchema = z.strictObject({
  region: text(64).min(1),
  analyzerArn: text(2048).min(1).nullable(),
  findings: z.array(accessFindingSchema).max(MAX_FINDINGS),
  truncated: z.boolean(),
});

function isRef(value: unknown): value is OutputRef {
  return typeof value === 'object' && value !== null && 'fromOutput' in value;
}

/** The analyzer s3-harden creates, as a plan's after-state. */
export function createdAnalyzer(): AnalyzerValue {
  return { name: ANALYZER_NAME, arn: CREATED_ANALYZER_ARN, type: 'ACCOUNT', status: 'ACTIVE' };
}

export const accessAnalyzerFamily: ResourceFamily<AccessAnalyzerValues> = {
  resources: {
    'account.analyzer': {
      label: 'IAM Access Analyzer (account analyzer)',
      reads: ['accessanalyzer:ListAnalyzers'],
      scope: 'account',
      schema: analyzerValueSchema.nullable(),
      write: (_target, value) => {
        if (value === null) {
          // Only ever the undo of a creation: the analyzer s3-harden created.
          return {
            service: 'accessanalyzer',
            operation: 'DeleteAnalyzer',
            input: { analyzerName: ANALYZER_NAME },
          };
        }
        if (value.name !== ANALYZER_NAME || value.type !== 'ACCOUNT') {
          throw new UnwritableValueError(
            `s3-harden creates only the account analyzer ${ANALYZER_NAME}; ${value.name} (${value.type.toLowerCase()}) is left as it is`,
          );
        }
        if (value.status !== 'ACTIVE') {
          throw new UnwritableValueError(
            `no call makes an analyzer ${value.status}: s3-harden creates ${ANALYZER_NAME} to be ACTIVE`,
          );
        }
        return {
          service: 'accessanalyzer',
          operation: 'CreateAnalyzer',
          input: { analyzerName: ANALYZER_NAME, type: 'ACCOUNT' },
        };
      },
      document: (value) =>
        value &&
        [
          `name: ${value.name}`,
          `type: ${value.type}`,
          `arn: ${isRef(value.arn) ? '<assigned by AWS when it is created>' : value.arn}`,
          `status: ${value.status}`,
        ].join('\n'),
      // AWS assigns the ARN; a new analyzer reads CREATING until its first scan starts.
      satisfies: (expected, live) => {
        if (expected === null || live === null) return expected === live;
        return (
          expected.name === live.name &&
          expected.type === live.type &&
          (isRef(expected.arn) || expected.arn === live.arn) &&
          (expected.status === live.status ||
            (expected.status === 'ACTIVE' && live.status === 'CREATING'))
        );
      },
    },
    'bucket.findings': {
      readOnly: true,
      volatile: true,
      label: 'IAM Access Analyzer findings',
      reads: [
        'accessanalyzer:ListAnalyzers',
        'accessanalyzer:ListFindingsV2',
        'accessanalyzer:GetFindingV2',
      ],
      scope: 'bucket',
      schema: bucketFindingsSchema.nullable(),
      write: () => {
        throw new UnwritableValueError(
          'IAM Access Analyzer findings are read-only: a plan never changes them',
        );
      },
    },
  },
  operations: [
    {
      service: 'accessanalyzer',
      operation: 'ListAnalyzers',
      iamAction: 'access-analyzer:ListAnalyzers',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'accessanalyzer',
      operation: 'ListFindingsV2',
      // ListFindings and ListFindingsV2 are both authorised by this action.
      iamAction: 'access-analyzer:ListFindings',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'accessanalyzer',
      operation: 'GetFindingV2',
      // GetFinding and GetFindingV2 are both authorised by this action.
      iamAction: 'access-analyzer:GetFinding',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'accessanalyzer',
      operation: 'CreateAnalyzer',
      iamAction: 'access-analyzer:CreateAnalyzer',
      kind: 'write',
      scope: 'none',
      input: z.strictObject({ analyzerName: z.literal(ANALYZER_NAME), type: z.literal('ACCOUNT') }),
    },
    {
      service: 'accessanalyzer',
      operation: 'DeleteAnalyzer',
      iamAction: 'access-analyzer:DeleteAnalyzer',
      kind: 'write',
      scope: 'none',
      // Only the analyzer s3-harden creates.
      input: z.strictObject({ analyzerName: z.literal(ANALYZER_NAME) }),
    },
  ],
};
