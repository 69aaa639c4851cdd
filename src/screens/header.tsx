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

/**
 * One line: where the wizard is and what it is about to touch. The progress
 * sits on the right and never shrinks; the bucket comes first, so what is cut
 * on a narrow terminal is the account and region.
 */
export function Header({ account, region, bucket, progress, status }: Props) {
  const { stdout } = useStdout();
  // What the bucket's name may take: the line less "s3-harden · bucket " and the progress.
  const room =
    (stdout.columns || 80) - 's3-harden · bucket '.length - (progress ? progress.length + 1 : 0);
  // The bucket first: on a narrow terminal the account and region are cut, not what is touched;
  // a name too long even alone is cut in its middle, its distinguishing end kept.
  const cut = bucket !== undefined && bucket.length > room;
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
          <Text {...tone('accent')}>s3-harden</Text>
          <Text {...tone('muted')}>{parts.length > 0 ? ` · ${parts.join(' · ')}` : ''}</Text>
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
