/**
 * Mounts the wizard. Ink and React load here; the app itself right after
 * the first frame, and the AWS SDK only when `services.connect` runs.
 */
import { type RenderOptions, render } from 'ink';
import { lazy, Suspense } from 'react';
import type { Preset } from '../plan/model/types.js';
import { type KeySource, keyByKeyStdin } from './key-stdin.js';
import { ServicesProvider, type WizardServices } from './services.js';
import { StartingFrame } from './starting.js';

// The app (its steps, the plan model and their schemas) loads after the
// first frame is on screen; until then StartingFrame draws what it would.
const App = lazy(() => import('./app.js').then((module) => ({ default: module.App })));

export interface WizardOptions {
  readonly services: WizardServices;
  /** Undefined: the wizard asks. */
  readonly preset?: Preset;
  readonly bucket?: string;
  readonly logBucket?: string;
}

/**
 * How the wizard is mounted, shared with the screen tests that drive it
 * through the same stdin: one key per read, and Ctrl+C is the app's to
 * handle (during apply it cancels and rolls back).
 */
export function wizardRenderOptions(
  stdin: KeySource,
  rest: Omit<RenderOptions, 'stdin'> = {},
): RenderOptions {
  return { ...rest, stdin: keyByKeyStdin(stdin), exitOnCtrlC: false };
}

export async function renderWizard(options: WizardOptions): Promise<number> {
  let code = 0;
  const instance = render(
    <ServicesProvider services={options.services}>
      <Suspense
        fallback={<StartingFrame {...(options.bucket ? { bucket: options.bucket } : {})} />}
      >
        <App
          {...(options.preset ? { preset: options.preset } : {})}
          onExit={(exitCode) => {
            code = exitCode;
          }}
          {...(options.bucket ? { bucket: options.bucket } : {})}
          {...(options.logBucket ? { logBucket: options.logBucket } : {})}
        />
      </Suspense>
    </ServicesProvider>,
    wizardRenderOptions(process.stdin),
  );
  await instance.waitUntilExit();
  return code;
}
