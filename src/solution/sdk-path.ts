// Where a solution's imports are looked up: the search path of `use`
// (PSL), `use EDL`, EDL/CDL component references and IDL packages.
//
// The SDK's compilers take their search directories as `-I` options, tried
// in order; the solution's own directories come first, then the SDK's (the
// CE example that builds without CMake runs nk-psl-gen-c through
// `makekss --with-nkflags="-I . -I $SYSROOT/include -I $TOOLCHAIN/include"`
// and `nk-gen-c -I $SYSROOT/include`). Cordon searches, in order:
//
//   1. the solution's own directories (kos.ts: resources/xdl, resources, …)
//   2. every `--include <dir>`, in the order given (folders of stand-ins)
//   3. with `--sdk <dir>` (or CORDON_SDK): `<sdk>/sysroot-<arch>-kos/include`
//      then `<sdk>/toolchain/include`, the arch taken from the board
//   4. Cordon's own stand-ins (src/solution/sdk)
//
// The SDK's security-model modules (`nk.base`, `nk.flow`, …, in
// toolchain/include/nk) are never read from the SDK: Cordon implements
// those models itself (src/policy/psl/resolve.ts), so with --sdk a
// `use nk.base._` is still built in.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ArchId, Board } from '../../boards/index.ts';
import { ParseError } from '../syntax/errors.ts';
import { SDK_MODEL_MODULES } from '../policy/psl/resolve.ts';

/** The sysroot name part the KasperskyOS SDK uses for each of Cordon's architectures (`sysroot-<name>-kos`). */
export const SYSROOT_ARCH: Readonly<Record<ArchId, string>> = {
  armv8: 'aarch64',
  armv7: 'arm',
  armv5: 'arm',
  x86_64: 'x86_64',
  x86: 'x86',
  mips32: 'mips',
};

export interface SdkSearchDirs {
  /** The SDK directories, in search order (sysroot include, toolchain include). */
  readonly dirs: readonly string[];
  /** The sysroot chosen (`sysroot-aarch64-kos`). */
  readonly sysroot: string;
  /** Non-fatal notes (another arch's sysroot used). */
  readonly warnings: readonly string[];
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const at = (dir: string) => ({ file: dir, line: 1, column: 1 });

/**
 * The directories of an installed KasperskyOS SDK that imports resolve
 * from, for `board`'s architecture. When the SDK has no sysroot for that
 * architecture but exactly one other, that one is used with a warning (PSL,
 * EDL, CDL and IDL files do not depend on the architecture; the CE SDK ships
 * only aarch64).
 *
 * @throws ParseError (kind io) when `root` is not a directory or holds no `sysroot-*-kos/include`
 */
export function sdkSearchDirs(root: string, board: Board): SdkSearchDirs {
  const dir = resolve(root);
  if (!isDir(dir))
    throw new ParseError({
      kind: 'io',
      loc: at(dir),
      detail: `--sdk: no directory ${dir} (give the KasperskyOS SDK's root, e.g. /opt/KasperskyOS-Community-Edition-<version>)`,
    });
  const sysroots = readdirSync(dir)
    .filter((n) => /^sysroot-.+-kos$/.test(n) && isDir(join(dir, n, 'include')))
    .sort();
  if (sysroots.length === 0)
    throw new ParseError({
      kind: 'io',
      loc: at(dir),
      detail: `--sdk: ${dir} is not a KasperskyOS SDK: it holds no sysroot-<arch>-kos/include directory`,
    });
  const wanted = `sysroot-${SYSROOT_ARCH[board.arch.id]}-kos`;
  const warnings: string[] = [];
  let sysroot = wanted;
  if (!sysroots.includes(wanted)) {
    if (sysroots.length !== 1)
      throw new ParseError({
        kind: 'io',
        loc: at(dir),
        detail: `--sdk: ${dir} has no ${wanted} for board ${board.id} (${board.arch.id}); it has ${sysroots.join(', ')}: choose the board with --board`,
      });
    sysroot = sysroots[0]!;
    warnings.push(
      `${dir}: the SDK has no ${wanted} for board ${board.id}; its formal specifications and policy fragments are read from ${sysroot}`,
    );
  }
  const dirs = [join(dir, sysroot, 'include'), join(dir, 'toolchain', 'include')].filter(isDir);
  return { dirs, sysroot, warnings };
}

/**
 * A file reader for the PSL loader that does not see the SDK's own
 * security-model modules (`<sdk dir>/nk/base.psl`, …): those stay Cordon's
 * built-in models. A solution's or an include's file of that name is read.
 */
export function sdkModelsBuiltIn(
  sdkDirs: readonly string[],
  readFile: (path: string) => string | undefined,
): (path: string) => string | undefined {
  const hidden = new Set(sdkDirs.flatMap((d) => SDK_MODEL_MODULES.map((m) => join(d, ...m.split('.')) + '.psl')));
  return (path) => (hidden.has(resolve(path)) ? undefined : readFile(path));
}

/** The `--include` folders, absolute. @throws ParseError (kind io) for one that is not a directory */
export function includeDirs(includes: readonly string[]): string[] {
  return includes.map((d) => {
    const dir = resolve(d);
    if (!isDir(dir)) throw new ParseError({ kind: 'io', loc: at(dir), detail: `--include: no directory ${dir}` });
    return dir;
  });
}

/** The fixes named by every error about an import that nothing resolves. */
export const IMPORT_FIXES =
  'with the KasperskyOS SDK installed, give it with --sdk <dir> (or CORDON_SDK=<dir>); or write a stand-in and give its folder with --include <dir>';
