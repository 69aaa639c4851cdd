/**
 * The AWS half of the IAM Access Analyzer family. Both resources come from
 * one ListAnalyzers scan (all pages; reads started together share it); the
 * findings then from ListFindingsV2 on the chosen analyzer, filtered to this
 * bucket's ARN and ACTIVE, and GetFindingV2 for each (the summaries do not
 * say who may do what). Everything is bounded: a runaway paginator stops.
 *
 * The SDK is not imported here: the commands are deferred (see
 * DeferredCommand in ../clients.ts), so the module loads only when Access
 * Analyzer is first called. An endpoint without the service fails the reads
 * with "IAM Access Analyzer is not available at this endpoint" (detected in
 * ../access-analyzer.ts); the step reads them optionally and steps aside.
 */

import type { Target } from '../../plan/model/types.js';
import { partitionOf } from '../../plan/policy/statements.js';
import {
  type AccessFinding,
  type AnalyzerValue,
  type BucketFindings,
  bucketArn,
  MAX_FINDINGS,
  normaliseFinding,
  pickAnalyzer,
  sortFindings,
} from '../../plan/resources/access-analyzer.js';
import { deferredCommand } from '../clients.js';
import type { AwsFamily, ReadSend } from './family.js';
import { mapLimit } from './map-limit.js';

/** A runaway paginator stops here. */
const MAX_PAGES = 20;
/** Findings per ListFindingsV2 page. */
const PAGE_SIZE = 50;
/** Pages of one finding's details (an external-access finding has one detail). */
const MAX_DETAIL_PAGES = 3;
/** How many findings are described at once. */
const CONCURRENCY = 4;

function token(output: Record<string, unknown>): string | undefined {
  return typeof output.nextToken === 'string' && output.nextToken !== ''
    ? output.nextToken
    : undefined;
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

async function scanAnalyzers(send: ReadSend): Promise<AnalyzerValue | null> {
  const items: unknown[] = [];
  const seen = new Set<string>();
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await send({
      service: 'accessanalyzer',
      operation: 'ListAnalyzers',
      input: next ? { nextToken: next } : {},
    });
    items.push(...((output.analyzers as unknown[] | undefined) ?? []));
    next = token(output);
    if (!next || seen.has(next)) break;
    seen.add(next);
  }
  return pickAnalyzer(items);
}

const inflight = new WeakMap<ReadSend, Promise<AnalyzerValue | null>>();

/** One scan per session at a time: the two readers started together share it. */
export function findAnalyzer(send: ReadSend): Promise<AnalyzerValue | null> {
  const running = inflight.get(send);
  if (running) return running;
  const started = scanAnalyzers(send).finally(() => inflight.delete(send));
  inflight.set(send, started);
  return started;
}

/** The finding summaries of the bucket: ACTIVE, at most MAX_FINDINGS + 1 (to know there are more). */
async function listSummaries(
  send: ReadSend,
  analyzerArn: string,
  resource: string,
): Promise<{ summaries: unknown[]; more: boolean }> {
  const summaries: unknown[] = [];
  const seen = new Set<string>();
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await send({
      service: 'accessanalyzer',
      operation: 'ListFindingsV2',
      input: {
        analyzerArn,
        filter: { resource: { eq: [resource] }, status: { eq: ['ACTIVE'] } },
        maxResults: PAGE_SIZE,
        ...(next ? { nextToken: next } : {}),
      },
    });
    summaries.push(...((output.findings as unknown[] | undefined) ?? []));
    next = token(output);
    if (summaries.length > MAX_FINDINGS) return { summaries, more: true };
    if (!next || seen.has(next)) return { summaries, more: false };
    seen.add(next);
  }
  // Still pages to go: there may be more than were read.
  return { summaries, more: true };
}

/** One finding with who may do what; null when it is gone (archived or resolved meanwhile). */
async function describeFinding(
  send: ReadSend,
  analyzerArn: string,
  summary: unknown,
): Promise<AccessFinding | null> {
  const id = (summary as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id === '') return null;
  const details: unknown[] = [];
  let next: string | undefined;
  try {
    for (let page = 0; page < MAX_DETAIL_PAGES; page++) {
      const output = await send({
        service: 'accessanalyzer',
        operation: 'GetFindingV2',
        input: { analyzerArn, id, ...(next ? { nextToken: next } : {}) },
      });
      details.push(...((output.findingDetails as unknown[] | undefined) ?? []));
      next = token(output);
      if (!next) break;
    }
  } catch (error) {
    if (errorCode(error) === 'ResourceNotFoundException') return null;
    throw error;
  }
  return normaliseFinding(summary, details);
}

/** The bucket's active findings from the analyzer the scan chose. */
export async function readFindings(target: Target, send: ReadSend): Promise<BucketFindings> {
  const analyzer = await findAnalyzer(send);
  const analyzerArn = analyzer && typeof analyzer.arn === 'string' ? analyzer.arn : null;
  // Only an active analyzer has findings to trust.
  if (analyzer?.status !== 'ACTIVE' || !analyzerArn) {
    return { region: target.region, analyzerArn, findings: [], truncated: false };
  }
  const resource = bucketArn(partitionOf(target.region), target.bucket);
  const { summaries, more } = await listSummaries(send, analyzerArn, resource);
  const kept = summaries.slice(0, MAX_FINDINGS);
  const described = await mapLimit(kept, CONCURRENCY, (summary) =>
    describeFinding(send, analyzerArn, summary),
  );
  return {
    region: target.region,
    analyzerArn,
    findings: sortFindings(described.filter((found): found is AccessFinding => found !== null)),
    truncated: more,
  };
}

export const accessAnalyzerAws: AwsFamily = {
  commands: {
    accessanalyzer: {
      ListAnalyzers: deferredCommand('ListAnalyzers'),
      CreateAnalyzer: deferredCommand('CreateAnalyzer'),
      DeleteAnalyzer: deferredCommand('DeleteAnalyzer'),
      ListFindingsV2: deferredCommand('ListFindingsV2'),
      GetFindingV2: deferredCommand('GetFindingV2'),
    },
  },
  readers: {
    'account.analyzer': { query: (_target, send) => findAnalyzer(send) },
    'bucket.findings': { query: readFindings },
  },
};
