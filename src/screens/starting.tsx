/**
 * The wizard's first frame while the rest of it loads: the same header and
 * "Connecting…" line the app draws until AWS answers, so the switch is not
 * seen. It needs Ink and nothing else — no steps, no schemas, no SDK.
 */
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { Header } from './header.js';
import { tone } from './theme.js';

export function StartingFrame({ bucket }: { readonly bucket?: string }) {
  return (
    <Box flexDirection="column">
      <Header status="connecting…" {...(bucket ? { bucket } : {})} />
      <Text>
        <Text {...tone('accent')}>
          <Spinner type="dots" />
        </Text>{' '}
        Connecting to AWS…
      </Text>
    </Box>
  );
}
