/**
 * The compiled PSL parser. PSL and PAL share one peggy parser built from
 * four grammar files; `PslFile` and `PalFile` are its start rules.
 */
import { compileGrammar, type CompiledGrammar, type ErrorHooks } from '../../syntax/grammar.ts';
import { explainTemplateRemnant } from '../../syntax/remnants.ts';

const FILES = [
  new URL('./psl.peggy', import.meta.url),
  new URL('../pal/pal.peggy', import.meta.url),
  new URL('./expression.peggy', import.meta.url),
  new URL('./lexical.peggy', import.meta.url),
];

export function pslGrammar(): CompiledGrammar {
  return compileGrammar({ files: FILES, startRules: ['PslFile', 'PalFile'] });
}

export const PSL_ERROR_HOOKS: ErrorHooks = {
  explain: explainTemplateRemnant,
  groups: [
    {
      members: ['==>', '||', '&&', '|', '&', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%'],
      description: 'an operator (==, !=, <, <=, >, >=, &&, ||, ==>, +, -, *, |, &)',
    },
  ],
};
