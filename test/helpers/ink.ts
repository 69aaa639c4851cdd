/**
 * One way to drive Ink screens in tests: send a key, then wait until the
 * frame shows what a user would wait for. No fixed sleeps.
 */
import { stripVTControlCharacters } from 'node:util';

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  escape: '\u001B',
  space: ' ',
  ctrlC: '\u0003',
} as const;

interface Rendered {
  lastFrame(): string | undefined;
  stdin: { write(data: string): void };
}

/**
 * Lets React run the passive effects of the last render. Ink attaches input
 * handlers in effects, so a frame can be on screen a moment before the keys
 * it advertises are heard; a key sent in that moment would be lost.
 */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
}

export function frame(instance: Rendered): string {
  return stripVTControlCharacters(instance.lastFrame() ?? '');
}

/** Polls the frame until `expected` appears (string or test), or fails with the last frame. */
export async function waitFor(
  instance: Rendered,
  expected: string | RegExp | ((frame: string) => boolean),
  timeoutMs = 20_000,
): Promise<string> {
  const matches = (text: string) =>
    typeof expected === 'string'
      ? text.includes(expected)
      : expected instanceof RegExp
        ? expected.test(text)
        : expected(text);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = frame(instance);
    if (matches(text)) {
      await settle();
      return text;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${String(expected)}; last frame:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Sends keys one at a time, yielding to Ink between them; callers then wait for the frame they expect. */
export async function press(instance: Rendered, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    await settle();
    instance.stdin.write(key);
  }
}

/** Moves a list cursor down until `label` is the selected line. */
export async function selectLine(
  instance: Rendered,
  label: string,
  pointer = '›',
  maxSteps = 50,
): Promise<void> {
  for (let step = 0; step < maxSteps; step++) {
    if (frame(instance).includes(`${pointer} ${label}`)) return;
    const before = frame(instance);
    await press(instance, KEY.down);
    await waitFor(instance, (text) => text !== before, 2000).catch(() => undefined);
  }
  throw new Error(`could not select ${label}; last frame:\n${frame(instance)}`);
}

/**
 * Every existing bucket's walk opens on the posture screen (where it stands,
 * what the preset would change): Enter goes on to the first step.
 */
export async function pastPosture(instance: Rendered): Promise<void> {
  await waitFor(instance, 'stands now');
  await press(instance, KEY.enter);
}

/**
 * On the review's summary, Enter expands it to the whole diff; Enter there
 * goes on to the confirmation. This is the first of the two.
 */
export async function expandReview(instance: Rendered): Promise<void> {
  await waitFor(instance, 'Review the plan: summary');
  await press(instance, KEY.enter);
  await waitFor(instance, 'n/p next/prev change');
}
