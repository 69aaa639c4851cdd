export declare const ROOT: string;
export declare function ensureEmulator(options?: { log?: (message: string) => void }): void;
/** Where Checkov's command is once ensureCheckov has run (the Terraform tests). */
export declare const CHECKOV: string;
export declare function ensureCheckov(options?: { log?: (message: string) => void }): void;
export declare function freePort(): Promise<number>;
export interface Emulator {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}
export declare function startEmulator(options?: {
  port?: number;
  timeoutMs?: number;
}): Promise<Emulator>;
export declare function resetEmulator(url: string): Promise<void>;
/** Whether the virtualenv at `venv` was made at that path (a moved one is made again). */
export declare function sameVenvHome(venv: string): boolean;
/** What a virtualenv's stamp holds: its requirements' digest and its path. */
export declare function venvStamp(requirementsDigest: string, venv: string): string;
export declare function ensureVenv(options: {
  venv: string;
  requirements: string;
  binary: string;
  what: string;
  log: (message: string) => void;
}): void;
