import type { Command } from 'commander';

/** Placeholder until this command family lands; registers nothing. */
export function registerServeCommand(_program: Command): void {}
