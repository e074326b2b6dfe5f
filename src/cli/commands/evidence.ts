import type { Command } from 'commander';

/** Placeholder until this command family lands; registers nothing. */
export function registerEvidenceCommands(_program: Command): void {}
