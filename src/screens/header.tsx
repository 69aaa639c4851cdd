import { Box, Text, useStdout } from 'ink';
import { truncateMiddle } from '../plan/render/truncate.js';
import { tone } from './theme.js';

type Props = {
  /** Account ID, once connected. */
  readonly account?: string;
  readonly region?: string;
  readonly bucket?: string;
  /** "step k of n", "review"… */
  readonly progress?: string;
  /** Shown instead of the account while connecting. */
  readonly status?: string;
};

/** "s3-harden · ": the first thing a narrow header gives up for the bucket's name. */
const BRAND = 's3-harden · ';

/**
 * One line: where the wizard is and what it is about to touch. The progress
 * sits on the right and never shrinks; the bucket comes first, so what is cut
 * on a narrow terminal is the account and region.
 */
export function Header({ account, region, bucket, progress, status }: Props) {
  const { stdout } = useStdout();
  // What the bucket's name may take: the line less "bucket " and the progress (and the brand, while it fits).
  const free = (stdout.columns || 80) - 'bucket '.length - (progress ? progress.length + 1 : 0);
  // The bucket first: on a narrow terminal the account and region go, then the
  // tool's own name; a name too long even alone is cut in its middle, its
  // distinguishing end kept.
  const branded = bucket === undefined || bucket.length <= free - BRAND.length;
  const room = branded ? free - BRAND.length : free;
  // Without the brand there is no room for the account and region either.
  const cut = !branded;
  const parts = [
    bucket ? `bucket ${truncateMiddle(bucket, room)}` : undefined,
    ...(cut ? [] : [account ? `account ${account}` : status, region]),
  ].filter(Boolean);
  return (
    <Box
      borderStyle="single"
      borderLeft={false}
      borderRight={false}
      borderTop={false}
      justifyContent="space-between"
    >
      <Box flexShrink={1}>
        <Text wrap="truncate-end">
          {branded ? <Text {...tone('accent')}>s3-harden</Text> : null}
          <Text {...tone('muted')}>
            {parts.length > 0 ? `${branded ? ' · ' : ''}${parts.join(' · ')}` : ''}
          </Text>
        </Text>
      </Box>
      {progress ? (
        <Box flexShrink={0} marginLeft={1}>
          <Text {...tone('key')}>{progress}</Text>
        </Box>
      ) : null}
    </Box>
  );
}
