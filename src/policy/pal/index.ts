/** PAL front end: syntax tree and parser (the runner lives elsewhere). */
export type * from './ast.ts';
export { parsePal } from './parser.ts';
