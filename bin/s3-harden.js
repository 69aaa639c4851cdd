#!/usr/bin/env node
// The AWS SDK warns on Node 20 that versions after January 2027 will need
// Node 22; this build pins versions that run on 20, and the warning would
// land in the middle of the wizard's screen.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main } = await import('../dist/cli.js');

await main();
