import { Box, Text } from 'ink';
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
  // The bucket first: on a narrow terminal the account and region are cut, not what is touched.
  const parts = [
    bucket ? `bucket ${bucket}` : undefined,
    account ? `account ${account}` : status,
    region,
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
