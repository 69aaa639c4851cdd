/**
 * Mounts the wizard. Ink and React load here; the AWS SDK only when
 * `services.connect` runs, after the first frame is on screen.
 */
import { render } from 'ink';
import type { Preset } from '../plan/types.js';
import { App } from './app.js';
import { ServicesProvider, type WizardServices } from './services.js';

export interface WizardOptions {
  readonly services: WizardServices;
  /** Undefined: the wizard asks. */
  readonly preset?: Preset;
  readonly bucket?: string;
}

export async function renderWizard(options: WizardOptions): Promise<number> {
  let code = 0;
  const instance = render(
    <ServicesProvider services={options.services}>
      <App
        {...(options.preset ? { preset: options.preset } : {})}
        onExit={(exitCode) => {
          code = exitCode;
        }}
        {...(options.bucket ? { bucket: options.bucket } : {})}
      />
    </ServicesProvider>,
    // Ctrl+C is the app's to handle: during apply it cancels and rolls back.
    { exitOnCtrlC: false },
  );
  await instance.waitUntilExit();
  return code;
}
