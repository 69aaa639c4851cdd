/**
 * What a step asks, as plain data: the wizard renders these fields with one
 * generic screen, and `plan` never needs them. Each field edits one top-level
 * property of the step's answers.
 */
export interface ChoiceOption {
  readonly value: string;
  readonly label: string;
  /** One line shown when this option is selected. */
  readonly help?: string;
}

export type Field =
  | {
      readonly kind: 'toggle';
      readonly key: string;
      readonly label: string;
      readonly help: string;
      /** The live value, e.g. "on", "off", "not set". */
      readonly now?: string;
    }
  | {
      readonly kind: 'choice';
      readonly key: string;
      readonly label: string;
      readonly help: string;
      readonly options: readonly ChoiceOption[];
      readonly now?: string;
    }
  | {
      readonly kind: 'text';
      readonly key: string;
      readonly label: string;
      readonly help: string;
      readonly placeholder?: string;
      readonly now?: string;
    }
  | {
      readonly kind: 'note';
      readonly text: string;
      readonly tone: 'info' | 'warning';
    };

export type InputField = Exclude<Field, { kind: 'note' }>;

export function isInput(field: Field): field is InputField {
  return field.kind !== 'note';
}

/** Splits a comma- or space-separated list typed by the operator. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}
