/**
 * Parsing IDL, CDL and EDL files into their syntax trees.
 */
import { compileGrammar, type CompiledGrammar, type ErrorHooks } from '../syntax/grammar.ts';
import { explainTemplateRemnant } from '../syntax/remnants.ts';
import { asSource, type SourceInput } from '../syntax/source.ts';
import type { CdlFile, EdlFile, IdlFile } from './ast.ts';

const FILES = [
  new URL('./lexical.peggy', import.meta.url),
  new URL('./idl.peggy', import.meta.url),
  new URL('./cdl.peggy', import.meta.url),
];

function grammar(): CompiledGrammar {
  return compileGrammar({ files: FILES, startRules: ['IdlFile', 'CdlFile', 'EdlFile'] });
}

const HOOKS: ErrorHooks = {
  explain: explainTemplateRemnant,
  groups: [
    {
      members: ['|', '^', '&', '<<', '>>', '+', '-', '*', '/', '%', '**'],
      description: 'an operator (+, -, *, /, %, **, <<, >>, &, |, ^)',
    },
  ],
};

/** Parses an IDL file. @throws ParseError */
export function parseIdl(input: SourceInput): IdlFile {
  return grammar().parse({ source: asSource(input), startRule: 'IdlFile', hooks: HOOKS }) as IdlFile;
}

/** Parses a CDL file. @throws ParseError */
export function parseCdl(input: SourceInput): CdlFile {
  return grammar().parse({ source: asSource(input), startRule: 'CdlFile', hooks: HOOKS }) as CdlFile;
}

/** Parses an EDL file. @throws ParseError */
export function parseEdl(input: SourceInput): EdlFile {
  return grammar().parse({ source: asSource(input), startRule: 'EdlFile', hooks: HOOKS }) as EdlFile;
}
