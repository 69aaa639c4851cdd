/**
 * Policy validation findings: what IAM Access Analyzer says about the policy
 * documents a plan writes (ValidatePolicy and CheckNoPublicAccess), as plain
 * data, and their plan-style rendering. src/aws/policy-validation.ts runs the
 * checks; `plan`, `apply` and the review screen show and act on the result:
 *
 * - an `error` (a part of the policy that does not work) blocks apply;
 * - a `security-warning` (access broader than it should be, or public) needs
 *   an explicit confirmation;
 * - `warning`s and `suggestion`s are shown.
 *
 * Nothing here does I/O or imports the SDK.
 */

import type { Plan, ResourceKey } from '../model/types.js';
import type { Line } from '../render/render.js';
import { policyJson } from './document.js';

export const SEVERITIES = ['error', 'security-warning', 'warning', 'suggestion'] as const;
export type FindingSeverity = (typeof SEVERITIES)[number];

/** The resource type Access Analyzer checks a policy as. */
export type PolicyResourceType = 'AWS::S3::Bucket' | 'AWS::S3::AccessPoint';

/** The resources whose values are policy documents, and what Access Analyzer checks them as. */
export const POLICY_RESOURCES: Partial<Record<ResourceKey, PolicyResourceType>> = {
  'bucket.policy': 'AWS::S3::Bucket',
  'logTarget.policy': 'AWS::S3::Bucket',
  'bucket.accessPointPolicy': 'AWS::S3::AccessPoint',
  'account.trailBucketPolicy': 'AWS::S3::Bucket',
};

/** One policy document a plan writes, as it will be sent. */
export interface PolicyToCheck {
  /** The change that writes it. */
  readonly change: string;
  readonly resource: ResourceKey;
  /** How a reader names it: "Bucket policy", "Log bucket policy (logs)". */
  readonly label: string;
  readonly resourceType: PolicyResourceType;
  /** The JSON text exactly as the plan's call sends it. */
  readonly document: string;
}

export interface PolicyFinding {
  readonly severity: FindingSeverity;
  /** One line: what is wrong and, where Access Analyzer says, how to fix it. */
  readonly message: string;
  /** Where in the policy, as a JSON path (e.g. `Statement[2].Condition`); absent for the whole document. */
  readonly location?: string;
  /** Further places the same finding points at, when there are several. */
  readonly alsoAt?: readonly string[];
  /** The change that writes the policy, and the policy's name. */
  readonly change: string;
  readonly policy: string;
  /** Which check reported it. */
  readonly check: 'ValidatePolicy' | 'CheckNoPublicAccess';
  /** Access Analyzer's issue code (e.g. MISSING_VERSION), when it gives one. */
  readonly code?: string;
  /** Access Analyzer's documentation link for the finding. */
  readonly learnMore?: string;
}

export interface PolicyValidation {
  /** Every policy the plan writes was checked (vacuously so when it writes none). */
  readonly checked: boolean;
  /** Why the checks did not run, or did not finish (one line). */
  readonly skippedReason?: string;
  /** The changes whose policies were to be checked. */
  readonly policies: readonly string[];
  /** Most severe first. */
  readonly findings: readonly PolicyFinding[];
}

export type SeverityCounts = Readonly<Record<FindingSeverity, number>>;

const LABELS: Partial<Record<ResourceKey, string>> = {
  'bucket.policy': 'Bucket policy',
  'bucket.accessPointPolicy': 'Access point policy',
  'account.trailBucketPolicy': 'CloudTrail bucket policy',
};

/** The policy documents a plan writes (deletions write none), in plan order. */
export function policiesToCheck(plan: Plan): PolicyToCheck[] {
  const policies: PolicyToCheck[] = [];
  for (const change of plan.changes) {
    const resourceType = POLICY_RESOURCES[change.resource];
    if (!resourceType || change.after === null || typeof change.after !== 'object') continue;
    const label =
      LABELS[change.resource] ??
      (plan.target.logBucket
        ? `Log bucket policy (${plan.target.logBucket})`
        : 'Log bucket policy');
    policies.push({
      change: change.id,
      resource: change.resource,
      label,
      resourceType,
      document: policyJson(change.after as Record<string, unknown>),
    });
  }
  return policies;
}

/** A validation with nothing to do: the plan writes no policy. */
export function nothingToCheck(): PolicyValidation {
  return { checked: true, policies: [], findings: [] };
}

/** One step of a location in a policy document: a key or an array index. */
export type PathStep =
  | { readonly key: string }
  | { readonly index: number }
  | { readonly value: string }
  | { readonly substring: { readonly start: number; readonly length: number } };

const PLAIN_KEY = /^[A-Za-z_$][\w$:-]*$/;

/**
 * A location as a JSON path: `Statement[2].Condition`, a key that is not a
 * plain name in brackets (`Condition["aws:Source Ip"]`), a value or a part of
 * one after it (`Action[1]="s3:GetObjekt"`, `Resource (characters 13–20)`).
 */
export function jsonPath(steps: readonly PathStep[]): string {
  let path = '';
  for (const step of steps) {
    if ('index' in step) path += `[${step.index}]`;
    else if ('key' in step)
      path += PLAIN_KEY.test(step.key)
        ? `${path ? '.' : ''}${step.key}`
        : `[${JSON.stringify(step.key)}]`;
    else if ('value' in step) path += `=${JSON.stringify(step.value)}`;
    else {
      const { start, length } = step.substring;
      path += ` (characters ${start}–${start + Math.max(length, 1) - 1})`;
    }
  }
  return path;
}

export function severityCounts(validation: PolicyValidation): SeverityCounts {
  const counts: Record<FindingSeverity, number> = {
    error: 0,
    'security-warning': 0,
    warning: 0,
    suggestion: 0,
  };
  for (const finding of validation.findings) counts[finding.severity] += 1;
  return counts;
}

/** Errors: the policy would not work as written; apply refuses it. */
export function blocksApply(validation: PolicyValidation): boolean {
  return severityCounts(validation).error > 0;
}

/** Security warnings: apply asks for an explicit confirmation. */
export function needsConfirmation(validation: PolicyValidation): boolean {
  return severityCounts(validation)['security-warning'] > 0;
}

/** Most severe first; within a severity, the order the checks reported them. */
export function sortFindings(findings: readonly PolicyFinding[]): PolicyFinding[] {
  return findings
    .map((finding, order) => ({ finding, order }))
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(a.finding.severity) - SEVERITIES.indexOf(b.finding.severity) ||
        a.order - b.order,
    )
    .map(({ finding }) => finding);
}

const NAMES: Record<FindingSeverity, readonly [string, string]> = {
  error: ['error', 'errors'],
  'security-warning': ['security warning', 'security warnings'],
  warning: ['warning', 'warnings'],
  suggestion: ['suggestion', 'suggestions'],
};

export function severityName(severity: FindingSeverity, count = 1): string {
  return NAMES[severity][count === 1 ? 0 : 1];
}

/** "1 error, 2 security warnings" (only the severities present); "no findings" when none. */
export function countsText(counts: SeverityCounts): string {
  const parts = SEVERITIES.filter((severity) => counts[severity] > 0).map(
    (severity) => `${counts[severity]} ${severityName(severity, counts[severity])}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'no findings';
}

/** Where a finding is: "Bucket policy, Statement[2].Condition". */
export function findingPlace(finding: PolicyFinding): string {
  const places = [finding.location, ...(finding.alsoAt ?? [])].filter(Boolean);
  return places.length > 0 ? `${finding.policy}, ${places.join(' and ')}` : finding.policy;
}

/** One finding as one line (no wrapping): "error: Bucket policy, Statement[0]: … [CODE]". */
export function findingLine(finding: PolicyFinding): string {
  const code = finding.code ? ` [${finding.code}]` : '';
  return `${severityName(finding.severity)}: ${findingPlace(finding)}: ${finding.message}${code}`;
}

export const SKIPPED_PREFIX = 'Policy checks skipped: ';
const SOURCE = 'IAM Access Analyzer';

/** The headline: what was checked and what was found, or why nothing was. */
export function validationHeadline(validation: PolicyValidation): string | null {
  if (validation.policies.length === 0) return null;
  const counts = severityCounts(validation);
  if (!validation.checked) {
    return validation.findings.length > 0
      ? `Policy checks incomplete (${SOURCE}): ${countsText(counts)}; ${validation.skippedReason ?? 'not every check ran'}`
      : `${SKIPPED_PREFIX}${validation.skippedReason ?? 'not run'}`;
  }
  return `Policy checks (${SOURCE}): ${countsText(counts)}.`;
}

const KIND: Record<FindingSeverity, Line['kind']> = {
  error: 'irreversible',
  'security-warning': 'warning',
  warning: 'warning',
  suggestion: 'note',
};

/**
 * Splits `text` into lines of at most `first` characters (the first line) and
 * `rest` (the others), at spaces where it can.
 */
export function wrap(text: string, first: number, rest = first): string[] {
  const lines: string[] = [];
  let remaining = text;
  let width = first;
  while (remaining.length > width) {
    const cut = remaining.lastIndexOf(' ', width);
    const at = cut > 0 ? cut : width;
    lines.push(remaining.slice(0, at));
    remaining = remaining.slice(at).replace(/^ +/, '');
    width = rest;
  }
  lines.push(remaining);
  return lines;
}

export interface RenderValidationOptions {
  /**
   * Wrap each finding to this many columns, continuing under it indented; no
   * wrapping when absent (one finding per line, for logs and grep).
   */
  readonly width?: number;
}

const INDENT = '  ';
const CONTINUED = '      ';

/** One entry per finding, most severe first, wrapped to `width` when given. */
export function findingLines(
  validation: PolicyValidation,
  options: RenderValidationOptions = {},
): Line[] {
  const lines: Line[] = [];
  for (const finding of sortFindings(validation.findings)) {
    const text = findingLine(finding);
    const parts = options.width
      ? wrap(
          text,
          Math.max(20, options.width - INDENT.length),
          Math.max(20, options.width - CONTINUED.length),
        )
      : [text];
    parts.forEach((part, index) => {
      lines.push(
        index === 0
          ? { kind: KIND[finding.severity], text: `${INDENT}${part}` }
          : { kind: 'plain', text: `${CONTINUED}${part}` },
      );
    });
  }
  return lines;
}

/** What the findings mean for apply, when they stop it or need a confirmation. */
export function validationAdvice(validation: PolicyValidation): Line | null {
  const counts = severityCounts(validation);
  if (counts.error > 0) {
    return {
      kind: 'irreversible',
      text: `${INDENT}Apply is refused until ${counts.error === 1 ? 'this error is' : 'these errors are'} fixed.`,
    };
  }
  if (counts['security-warning'] > 0) {
    return {
      kind: 'warning',
      text: `${INDENT}Apply asks you to accept the security ${counts['security-warning'] === 1 ? 'warning' : 'warnings'} first.`,
    };
  }
  return null;
}

/**
 * The findings as plan-style lines: a headline, then one finding per line,
 * most severe first, then what they mean for apply. Nothing at all when the
 * plan writes no policy.
 */
export function renderValidation(
  validation: PolicyValidation,
  options: RenderValidationOptions = {},
): Line[] {
  const headline = validationHeadline(validation);
  if (headline === null) return [];
  const advice = validationAdvice(validation);
  return [
    {
      kind: !validation.checked && validation.findings.length === 0 ? 'note' : 'heading',
      text: headline,
    },
    ...findingLines(validation, options),
    ...(advice ? [advice] : []),
  ];
}

/**
 * The errors in one line, naming the first: "IAM Access Analyzer found 2
 * errors in the plan's policies: Bucket policy, Statement[1]: … (and 1
 * more)"; null when there are none.
 */
export function errorsLine(validation: PolicyValidation): string | null {
  const errors = sortFindings(validation.findings).filter(
    (finding) => finding.severity === 'error',
  );
  const first = errors[0];
  if (!first) return null;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `IAM Access Analyzer found ${errors.length} ${severityName('error', errors.length)} in the plan's policies: ${findingPlace(first)}: ${first.message.replace(/\.$/, '')}${more}`;
}

/**
 * The security warnings in one line: "IAM Access Analyzer reports 1 security
 * warning (Bucket policy)"; null when there are none.
 */
export function securityWarningsLine(validation: PolicyValidation): string | null {
  const count = severityCounts(validation)['security-warning'];
  if (count === 0) return null;
  const policies = [
    ...new Set(
      validation.findings
        .filter((finding) => finding.severity === 'security-warning')
        .map((finding) => finding.policy),
    ),
  ];
  return `IAM Access Analyzer reports ${count} ${severityName('security-warning', count)} (${policies.join(', ')})`;
}
