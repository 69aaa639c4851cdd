/**
 * IAM Access Analyzer review: the external-access analyzer of the region
 * (the account's, or the organization's) and its active findings for this
 * bucket, as a table — principal, actions, conditions, whether public — each
 * linked to the wizard step that would remove that access. When the region
 * has no analyzer, the step offers to create the account analyzer
 * s3-harden-account (undo deletes it); strict and worm do so by default.
 *
 * Findings are read-only: the step changes nothing about them. A new
 * analyzer has none until it has scanned the account, so the findings of an
 * analyzer this run creates are reviewed on the next run. Where Access
 * Analyzer cannot be read (an endpoint without it, such as the local
 * emulator, or a denial) the step says so and plans nothing.
 *
 * Why one file of ~490 lines: most of it is the findings table, which maps
 * each finding's actions and conditions to the step that removes that access
 * and reads as one piece.
 */

import { controlLabels } from '../plan/audit/controls.js';
import type { Change, Posture, Preset } from '../plan/model/types.js';
import {
  type AccessFinding,
  ANALYZER_NAME,
  type AnalyzerValue,
  createdAnalyzer,
  MAX_FINDINGS,
} from '../plan/resources/access-analyzer.js';
import { writeCall } from '../plan/resources/index.js';
import { accessPointStep } from './access-point.js';
import { bucketPolicyStep } from './bucket-policy.js';
import type { Field } from './form.js';
import { objectOwnershipStep } from './object-ownership.js';
import { bucketPublicAccessBlockStep } from './public-access-block.js';
import type { Step } from './types.js';

export interface AccessAnalyzerAnswers {
  /** Create the account analyzer s3-harden-account (only where the region has none). */
  readonly createAnalyzer: boolean;
  /**
   * Which page of the findings table the wizard shows ("1", "2"…): only the
   * screen reads it; it changes nothing in the plan.
   */
  readonly findingsPage?: string;
}

const STEP = 'access-analyzer';

/** The widest line of the findings table: fits 80 columns with the form's margin. */
export const TABLE_WIDTH = 78;

/** Thrown by plan() for answers the live posture cannot take. */
export class AccessAnalyzerError extends Error {
  override name = 'AccessAnalyzerError';
}

/** The steps a finding can point to, in wizard order. */
const FIX_STEPS = [
  'public-access-block',
  'object-ownership',
  'bucket-policy',
  'access-point',
] as const;
export type FixStep = (typeof FIX_STEPS)[number];

/** The steps' titles, short enough for the table ("Block Public Access" closes it at either level). */
const FIX_TITLES: Record<FixStep, string> = {
  'public-access-block':
    bucketPublicAccessBlockStep.shortTitle ?? bucketPublicAccessBlockStep.title,
  'object-ownership': objectOwnershipStep.title,
  'bucket-policy': bucketPolicyStep.title,
  'access-point': accessPointStep.title,
};

/**
 * The wizard steps that would remove a finding's access: public access is
 * closed by Block Public Access; a grant in the bucket policy (cross-account
 * or public) by the bucket policy; ACL grants by turning ACLs off (Object
 * Ownership); access through the bucket's access point by that step.
 */
export function fixSteps(finding: AccessFinding): FixStep[] {
  const steps = new Set<FixStep>();
  if (finding.isPublic) steps.add('public-access-block');
  const sources = finding.sources.length > 0 ? finding.sources : ['POLICY'];
  for (const source of sources) {
    if (source === 'BUCKET_ACL') steps.add('object-ownership');
    else if (source === 'S3_ACCESS_POINT') steps.add('access-point');
    // A cross-account access point reaches the bucket because its policy delegates to that account.
    else steps.add('bucket-policy');
  }
  return FIX_STEPS.filter((step) => steps.has(step));
}

/** Control characters from AWS never reach the terminal. */
function clean(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}

/** `text` cut to `width` columns, with … where it was cut. */
export function truncate(text: string, width: number): string {
  const chars = [...clean(text)];
  if (chars.length <= width) return chars.join('');
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * As many items as fit in `width`, joined with ", ", and "+N" for the rest;
 * a single item that does not fit is cut.
 */
export function fitList(items: readonly string[], width: number, empty: string): string {
  if (items.length === 0) return empty;
  const all = items.map(clean).join(', ');
  if ([...all].length <= width) return all;
  for (let count = items.length - 1; count >= 1; count--) {
    const text = `${items.slice(0, count).map(clean).join(', ')} +${items.length - count}`;
    if ([...text].length <= width) return text;
  }
  const rest = ` +${items.length - 1}`;
  return items.length > 1
    ? `${truncate(items[0] as string, width - rest.length)}${rest}`
    : truncate(items[0] as string, width);
}

/** An IAM ARN without its well-known prefix: "111122223333:role/reader"; a root ARN is its account. */
function shortArn(arn: string): string {
  const match = /^arn:[^:]+:(?:iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!match) return arn;
  return match[2] === 'root' ? `account ${match[1]}` : `${match[1]}:${match[2]}`;
}

/** The principal as one short phrase: "* (anyone)", "account 111122223333", a service name… */
export function describePrincipal(principal: Readonly<Record<string, string>>): string {
  const parts = Object.entries(principal).map(([kind, value]) => {
    if (value === '*') return '* (anyone)';
    if (kind === 'AWS') return /^\d{12}$/.test(value) ? `account ${value}` : shortArn(value);
    if (kind === 'CanonicalUser') return `canonical user ${value}`;
    return value;
  });
  return parts.length > 0 ? [...new Set(parts)].join(', ') : 'unknown';
}

/** How the access is granted, in words. */
function describeSources(finding: AccessFinding): string {
  const named = finding.accessPoints.map((arn) => arn.split('/').pop() || arn);
  const words = finding.sources.map((source) => {
    if (source === 'POLICY') return 'bucket policy';
    if (source === 'BUCKET_ACL') return 'bucket ACL';
    if (source === 'S3_ACCESS_POINT') {
      return named.length > 0 ? `access point ${named.join(', ')}` : 'an access point';
    }
    if (source === 'S3_ACCESS_POINT_ACCOUNT') return "another account's access point";
    return source;
  });
  return words.length > 0 ? words.join(' and ') : 'bucket policy';
}

const COLUMNS = { index: 4, principal: 26, isPublic: 6, actions: 18 } as const;
const CONDITIONS_WIDTH =
  TABLE_WIDTH - COLUMNS.index - COLUMNS.principal - COLUMNS.isPublic - COLUMNS.actions - 3;

function row(index: string, principal: string, isPublic: string, actions: string, rest: string) {
  return [
    index.padEnd(COLUMNS.index),
    principal.padEnd(COLUMNS.principal),
    ' ',
    isPublic.padEnd(COLUMNS.isPublic),
    ' ',
    actions.padEnd(COLUMNS.actions),
    ' ',
    rest,
  ]
    .join('')
    .trimEnd();
}

/**
 * The findings as table lines, at most TABLE_WIDTH columns each: a header,
 * then per finding (`count` of them from `from`, numbered from 1 overall) one
 * row (principal, public, actions, conditions) and one line naming the steps
 * that remove its access and how it is granted. Every line is distinct (the
 * finding's number is on both of its lines).
 */
export function findingsTable(
  findings: readonly AccessFinding[],
  from = 0,
  count = findings.length,
): string[] {
  const lines = [row(' #', 'Principal', 'Public', 'Actions', 'Conditions')];
  findings.slice(from, from + count).forEach((finding, at) => {
    const number = String(from + at + 1);
    const conditions = Object.entries(finding.conditions).map(([key, value]) => `${key}=${value}`);
    lines.push(
      row(
        number.padStart(2),
        truncate(
          finding.error ? '(not analysed)' : describePrincipal(finding.principal),
          COLUMNS.principal,
        ),
        finding.error ? '?' : finding.isPublic ? 'yes' : 'no',
        fitList(finding.actions, COLUMNS.actions, finding.error ? '?' : 'none'),
        fitList(conditions, CONDITIONS_WIDTH, finding.error ? '?' : 'none'),
      ),
    );
    const detail = finding.error
      ? `    ↳ #${number} could not be analysed (${finding.error}): see the IAM console`
      : `    ↳ #${number} fix: ${fixSteps(finding)
          .map((step) => FIX_TITLES[step])
          .join(', ')} (via ${describeSources(finding)})`;
    lines.push(truncate(detail, TABLE_WIDTH));
  });
  return lines;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function zone(analyzer: AnalyzerValue): string {
  return analyzer.type === 'ACCOUNT' ? 'the account' : 'the organization';
}

/** Why the step cannot look at Access Analyzer here, or null when it can. */
export function accessAnalyzerUnavailable(posture: Posture): string | null {
  const reason = posture.unreadable['account.analyzer'];
  if (reason) return reason;
  if (posture.values['account.analyzer'] === undefined)
    return 'IAM Access Analyzer (account analyzer) was not read';
  return null;
}

/** The region Access Analyzer was asked in: the findings say it, else the analyzer's ARN. */
function askedRegion(posture: Posture): string | undefined {
  const findings = posture.values['bucket.findings'];
  if (findings) return findings.region;
  const arn = posture.values['account.analyzer']?.arn;
  return typeof arn === 'string' ? arn.split(':')[3] || undefined : undefined;
}

/**
 * When Access Analyzer was asked in another region than the bucket's, its
 * analyzers cannot see the bucket: the warning, else null.
 */
export function regionMismatch(posture: Posture): string | null {
  const asked = askedRegion(posture);
  if (asked === undefined || asked === posture.region) return null;
  return `Access Analyzer was read in ${asked}, but the bucket is in ${posture.region}: an analyzer sees only its own region; run with --region ${posture.region}.`;
}

/** True when there is no analyzer and one may be created for this bucket's region. */
function canCreate(posture: Posture): boolean {
  return (
    accessAnalyzerUnavailable(posture) === null &&
    posture.values['account.analyzer'] === null &&
    regionMismatch(posture) === null
  );
}

export function keepAnswers(): AccessAnalyzerAnswers {
  return { createAnalyzer: false, findingsPage: '1' };
}

/** Strict and worm add an analyzer where the region has none; baseline and custom keep. */
export function defaultAnswers(posture: Posture, preset: Preset): AccessAnalyzerAnswers {
  return {
    createAnalyzer: (preset === 'strict' || preset === 'worm') && canCreate(posture),
    findingsPage: '1',
  };
}

export function validateAnswers(answers: AccessAnalyzerAnswers): string[] {
  const problems: string[] = [];
  if (typeof answers.createAnalyzer !== 'boolean') {
    problems.push('createAnalyzer must be true or false');
  }
  if (
    answers.findingsPage !== undefined &&
    (typeof answers.findingsPage !== 'string' || !/^[1-9]\d{0,3}$/.test(answers.findingsPage))
  ) {
    problems.push('findingsPage must be a page number (1, 2, …)');
  }
  return problems;
}

export function planAccessAnalyzer(posture: Posture, answers: AccessAnalyzerAnswers): Change[] {
  // Access Analyzer unreadable: nothing is known, nothing is planned (the step says why).
  if (!answers.createAnalyzer || accessAnalyzerUnavailable(posture) !== null) return [];
  const before = posture.values['account.analyzer'];
  // An analyzer exists already: findings come from it; nothing to create.
  if (before !== null) return [];
  const mismatch = regionMismatch(posture);
  if (mismatch) throw new AccessAnalyzerError(`Access Analyzer: ${mismatch}`);
  const after = createdAnalyzer();
  return [
    {
      id: 'account.analyzer',
      step: STEP,
      title: 'IAM Access Analyzer (account analyzer)',
      resource: 'account.analyzer',
      action: 'create',
      call: writeCall('account.analyzer', posture, after),
      before: null,
      after,
      undo: writeCall('account.analyzer', posture, null),
      dependsOn: [],
      warnings: [
        `affects account ${posture.accountId} in ${posture.region}: the analyzer reviews every supported resource there, not only ${posture.bucket}`,
        'a new analyzer has no findings yet: they appear after it has scanned the account; run s3-harden again to review them',
        'the first analyzer of an account also creates the service-linked role AWSServiceRoleForAccessAnalyzer; undo deletes the analyzer, not the role',
      ],
    },
  ];
}

/** Findings per page of the table: with its header and summary, a page fits the form in 80×24. */
export const FINDINGS_PER_PAGE = 4;

/** How many pages `count` findings take. */
export function pageCount(count: number): number {
  return Math.max(1, Math.ceil(count / FINDINGS_PER_PAGE));
}

/** The page the answers show, 1-based, kept within the pages there are. */
function pageOf(answers: AccessAnalyzerAnswers, pages: number): number {
  const asked = Number.parseInt(answers.findingsPage ?? '1', 10);
  return Number.isFinite(asked) ? Math.min(Math.max(asked, 1), pages) : 1;
}

/** "1–4 of 9", "9 of 9" */
function pageLabel(page: number, count: number): string {
  const first = (page - 1) * FINDINGS_PER_PAGE + 1;
  const last = Math.min(page * FINDINGS_PER_PAGE, count);
  return `${first === last ? first : `${first}–${last}`} of ${count}`;
}

function findingsFields(
  posture: Posture,
  analyzer: AnalyzerValue,
  answers: AccessAnalyzerAnswers,
): Field[] {
  const heading = `Analyzer ${truncate(analyzer.name, 40)} (${analyzer.type === 'ACCOUNT' ? 'account' : 'organization'}, ${posture.region})`;
  const unreadable = posture.unreadable['bucket.findings'];
  if (unreadable) {
    return [
      { kind: 'note', tone: 'warning', text: `${heading}: findings not read: ${unreadable}` },
    ];
  }
  const read = posture.values['bucket.findings'];
  if (read === undefined) return [{ kind: 'note', tone: 'info', text: `${heading}.` }];
  if (read === null) {
    return [
      {
        kind: 'note',
        tone: 'info',
        text: `${heading}: the bucket does not exist yet, so there are no findings to review.`,
      },
    ];
  }
  const { findings } = read;
  if (findings.length === 0) {
    return [
      {
        kind: 'note',
        tone: 'info',
        text: `${heading}: no active findings; it sees no access to the bucket from outside ${zone(analyzer)}.`,
      },
    ];
  }
  const publicCount = findings.filter((finding) => finding.isPublic).length;
  const count = read.truncated
    ? `over ${MAX_FINDINGS} active findings (the first ${findings.length} here, the rest in the IAM console)`
    : plural(findings.length, 'active finding', 'active findings');
  const fields: Field[] = [
    {
      kind: 'note',
      tone: publicCount > 0 ? 'warning' : 'info',
      text: `${heading}: ${count}${publicCount > 0 ? `, ${publicCount} public` : ''}.`,
    },
  ];
  const pages = pageCount(findings.length);
  const page = pageOf(answers, pages);
  if (pages > 1) {
    fields.push({
      kind: 'choice',
      key: 'findingsPage',
      label: 'Findings',
      help: `Access from outside ${zone(analyzer)}; ←→ shows the others.`,
      options: Array.from({ length: pages }, (_, at) => ({
        value: String(at + 1),
        label: pageLabel(at + 1, findings.length),
      })),
    });
  }
  const shown = findingsTable(findings, (page - 1) * FINDINGS_PER_PAGE, FINDINGS_PER_PAGE);
  fields.push(...shown.map((text): Field => ({ kind: 'note', tone: 'info', text })));
  if (pages === 1) {
    fields.push({
      kind: 'note',
      tone: 'info',
      text: 'A finding clears once its access is removed and the analyzer has rescanned.',
    });
  }
  return fields;
}

function analyzerFields(
  posture: Posture,
  analyzer: AnalyzerValue,
  answers: AccessAnalyzerAnswers,
): Field[] {
  const kind = analyzer.type === 'ACCOUNT' ? 'account' : 'organization';
  if (analyzer.status === 'ACTIVE') return findingsFields(posture, analyzer, answers);
  if (analyzer.status === 'CREATING') {
    return [
      {
        kind: 'note',
        tone: 'info',
        text: `Analyzer ${analyzer.name} (${kind}) is being created: findings appear after it has scanned; run s3-harden again to review them.`,
      },
    ];
  }
  const reason = analyzer.statusReason ? ` (${analyzer.statusReason})` : '';
  return [
    {
      kind: 'note',
      tone: 'warning',
      text: `Analyzer ${analyzer.name} (${kind}) is ${analyzer.status}${reason}: it reports no findings; fix or delete it in the IAM console.`,
    },
  ];
}

export function accessAnalyzerFields(posture: Posture, answers: AccessAnalyzerAnswers): Field[] {
  const unavailable = accessAnalyzerUnavailable(posture);
  if (unavailable) {
    return [
      {
        kind: 'note',
        tone: 'warning',
        text: `${unavailable.replace(/\.$/, '')}: this step reviews nothing and changes nothing.`,
      },
    ];
  }
  const mismatch = regionMismatch(posture);
  if (mismatch) return [{ kind: 'note', tone: 'warning', text: mismatch }];
  const analyzer = posture.values['account.analyzer'];
  if (analyzer) return analyzerFields(posture, analyzer, answers);
  const fields: Field[] = [
    {
      kind: 'toggle',
      key: 'createAnalyzer',
      label: 'Create an account analyzer',
      help: `${ANALYZER_NAME} in ${posture.region}: finds who outside the account can reach the bucket.`,
      now: 'none',
    },
  ];
  fields.push(
    answers.createAnalyzer
      ? {
          kind: 'note',
          tone: 'info',
          text: 'A new analyzer has no findings yet: they appear after it has scanned the account; run s3-harden again to review them.',
        }
      : {
          kind: 'note',
          tone: 'warning',
          text: `No external-access analyzer in ${posture.region}: nothing reports who outside the account can reach this bucket.`,
        },
  );
  return fields;
}

export const accessAnalyzerStep: Step<AccessAnalyzerAnswers> = {
  id: 'access-analyzer',
  title: 'IAM Access Analyzer review',
  summary: 'Who outside the account can reach the bucket, and which step closes each path.',
  scope: 'account',
  // The guide's checklist item. Security Hub IAM.28 ("IAM Access Analyzer
  // external access analyzer should be enabled") holds for this region once an
  // analyzer exists or is created here; CIS 1.20 asks for one in every region,
  // which one run in one region does not give, so it is not claimed.
  controls: [
    'S3 Security guide: Access Analyzer findings reviewed',
    ...controlLabels('access-analyzer'),
  ],
  reads: [],
  // Fail soft whatever the reason (no Access Analyzer at the endpoint, a denial): the step steps aside.
  optionalReads: ['account.analyzer', 'bucket.findings'],
  // Where the service is missing altogether, the step is skipped (and `plan`
  // lists it as skipped); a denial still shows the step with its explanation.
  unavailable: (posture) => {
    const reason = accessAnalyzerUnavailable(posture);
    return reason && /not available at this endpoint/.test(reason) ? reason : null;
  },
  defaults: defaultAnswers,
  validate: validateAnswers,
  keep: keepAnswers,
  plan: planAccessAnalyzer,
  fields: accessAnalyzerFields,
};
