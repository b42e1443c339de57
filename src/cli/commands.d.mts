import type { Command } from 'commander';

export declare const COMMANDS: readonly { readonly name: string; readonly args: string; readonly summary: string }[];
export declare function cordonVersion(): string;
export declare function baseProgram(C: typeof Command): Command;
export declare function listCommands(program: Command): Command;
export declare function onlyHelp(args: readonly string[]): boolean;
