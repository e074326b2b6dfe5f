import type { Command } from 'commander';

/** run and check: filled in with the engine. */
export function registerEngineCommands(_program: Command): void {}
