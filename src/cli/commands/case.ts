import type { Command } from 'commander';

/** Placeholder until this command family lands; registers nothing. */
export function registerCaseCommands(_program: Command): void {}
