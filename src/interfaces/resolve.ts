/**
 * Loading the formal specifications of task classes: from EDL names to
 * their CDL components and IDL interfaces, transitively, with every type
 * resolved and every endpoint numbered.
 *
 * File lookup: a dotted name maps to a path under one of the search
 * directories, tried in order — task class `demo.Lock` → `demo/Lock.edl`,
 * component `demo.BoltUnit` → `demo/BoltUnit.cdl`, package `demo.Bolt` →
 * `demo/Bolt.idl`. The name declared inside the file must match.
 *
 * Numbering (section 4.4 of the format reference; where it is silent this
 * is Cordon's definition):
 *
 * - RIID: the zero-based position of an endpoint in a depth-first,
 *   pre-order walk of the task class: first the endpoints of the EDL's own
 *   `endpoints` section in declaration order, then, for each instance of its
 *   `components` section in declaration order, that component's endpoints
 *   followed by its own component instances, recursively. The textual order
 *   of the sections does not matter.
 * - MID: the zero-based position of a method in its interface's
 *   declaration order.
 * - Qualified endpoint name: the instance names on the path, then the
 *   endpoint name, joined by dots (`unit.bolt`; a top-level endpoint is its
 *   bare name, `log`).
 *
 * Built in (used when the search path has no such file): package
 * `kl.core.Types` with the type `Boolean`, and package `kl.core.Execute`
 * with the reserved interface `{ main(); }`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParseError } from '../syntax/errors.ts';
import type { Loc, Source, SourceInput } from '../syntax/source.ts';
import type { CdlFile, ConstExpr, EdlFile, IdlConst, IdlDefinition, IdlFile, IdlTypeRef } from './ast.ts';
import { parseCdl, parseEdl, parseIdl } from './parser.ts';
import {
  INTEGER_TYPES,
  integerRange,
  type ResolvedEndpoint,
  type ResolvedInterface,
  type ResolvedMethod,
  type ResolvedParam,
  type ResolvedSecurityInterface,
  type ResolvedTaskClass,
  type ResolvedType,
} from './types.ts';

export interface FormalSpecOptions {
  /** Directories to look in, in order (the solution's, then the SDK's). */
  readonly searchPath: readonly string[];
  /** Reads a file, or returns undefined when it does not exist. Default: the file system. */
  readonly readFile?: (path: string) => string | undefined;
  /**
   * Files to try before the search path for a dotted name (the files a
   * build names, flat resource folders, generated EDLs): a candidate is taken
   * only when it declares that name; one with a `source` is not read from disk.
   */
  readonly candidates?: (
    name: string,
    extension: '.edl' | '.cdl' | '.idl',
  ) => readonly { readonly path: string; readonly source?: Source }[];
  /** Appended to the message of a file that no directory holds (how to make it resolve). */
  readonly notFoundHint?: string;
}

/** A request to load a task class, with the place that asked for it (e.g. a `use EDL`). */
export type TaskClassRequest = string | { readonly name: string; readonly loc?: Loc };

export interface FormalSpecs {
  /** The requested task classes (and only those), by name. */
  readonly taskClasses: ReadonlyMap<string, ResolvedTaskClass>;
  /** Every interface reached, by name. */
  readonly interfaces: ReadonlyMap<string, ResolvedInterface>;
  /** Every file read, in the order read. */
  readonly files: readonly string[];
}

/**
 * Loads the given task classes and everything they reference.
 *
 * @throws ParseError on syntax errors in any file, unknown names, duplicate
 *   names, broken bounds or constant ranges, and reference cycles.
 */
export function resolveTaskClasses(requests: readonly TaskClassRequest[], options: FormalSpecOptions): FormalSpecs {
  const loader = new FormalSpecLoader(options);
  const taskClasses = new Map<string, ResolvedTaskClass>();
  for (const r of requests) {
    const { name, loc } = typeof r === 'string' ? { name: r, loc: undefined } : r;
    taskClasses.set(name, loader.taskClass(name, loc));
  }
  return { taskClasses, interfaces: loader.interfaces(), files: loader.files() };
}

const BUILTIN_IDL: Readonly<Record<string, string>> = {
  'kl.core.Execute':
    'package kl.core.Execute\n\n// The execute interface: reserved, one method without parameters.\ninterface {\n    main();\n}\n',
};

/** Package `kl.core.Types` as Cordon knows it: only `Boolean`. */
const BUILTIN_TYPES_PACKAGE = 'kl.core.Types';

type TypeDefinition = Exclude<IdlDefinition, IdlConst>;

/** One IDL package and the memoised results of resolving names in it. */
class Package {
  readonly consts = new Map<string, IdlConst>();
  readonly types = new Map<string, TypeDefinition>();
  readonly builtinTypes = new Map<string, ResolvedType>();
  readonly imports: { readonly package: string; readonly loc: Loc }[];
  readonly constValues = new Map<string, bigint>();
  readonly resolvedTypes = new Map<string, ResolvedType>();

  constructor(
    readonly name: string,
    readonly file: string,
    readonly ast: IdlFile | null,
  ) {
    this.imports = ast === null ? [] : [...ast.imports];
    for (const d of ast?.definitions ?? []) {
      if (d.kind === 'const') this.consts.set(d.name, d);
      else this.types.set(d.name, d);
    }
  }
}

/** Error helpers. */
function fail(kind: 'reference' | 'duplicate' | 'validation' | 'io', loc: Loc, detail: string): never {
  throw new ParseError({ kind, loc, detail });
}

const MAX_BOUND = Number.MAX_SAFE_INTEGER;
const MAX_EXPONENT_BITS = 4096n;

export class FormalSpecLoader {
  private readonly readFile: (path: string) => string | undefined;
  private readonly packages = new Map<string, Package>();
  private readonly cdls = new Map<string, CdlFile>();
  private readonly edls = new Map<string, ResolvedTaskClass>();
  private readonly resolvedInterfaces = new Map<string, ResolvedInterface>();
  private readonly loadedFiles: string[] = [];

  constructor(private readonly options: FormalSpecOptions) {
    this.readFile = options.readFile ?? ((path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined));
  }

  interfaces(): ReadonlyMap<string, ResolvedInterface> {
    return new Map(this.resolvedInterfaces);
  }

  files(): readonly string[] {
    return [...this.loadedFiles];
  }

  /* -------------------------------------------------------------- files */

  private find(
    name: string,
    extension: '.edl' | '.cdl' | '.idl',
  ): { path: string; text: string; input: SourceInput } | undefined {
    for (const c of this.options.candidates?.(name, extension) ?? []) {
      const text = c.source?.text ?? this.readFile(c.path);
      if (text === undefined) continue;
      const input: SourceInput = c.source ?? { file: c.path, text };
      const declared =
        extension === '.idl'
          ? parseIdl(input).package
          : extension === '.cdl'
            ? parseCdl(input).name
            : parseEdl(input).name;
      if (declared !== name) continue;
      this.loadedFiles.push(c.path);
      return { path: c.path, text, input };
    }
    const relative = name.split('.').join('/') + extension;
    for (const dir of this.options.searchPath) {
      const path = join(dir, relative);
      const text = this.readFile(path);
      if (text !== undefined) {
        this.loadedFiles.push(path);
        return { path, text, input: { file: path, text } };
      }
    }
    return undefined;
  }

  private notFound(what: string, name: string, extension: string, from: Loc | undefined): never {
    const relative = name.split('.').join('/') + extension;
    const loc = from ?? { file: relative, line: 1, column: 1 };
    return fail(
      'reference',
      loc,
      `cannot find the ${what} ${name} (looked for ${relative} in ${this.options.searchPath.join(', ') || 'no directory'})${this.options.notFoundHint === undefined ? '' : `; ${this.options.notFoundHint}`}`,
    );
  }

  /* ----------------------------------------------------------- packages */

  /** The IDL package `name`, loaded on first use. */
  private package(name: string, from?: Loc): Package {
    const known = this.packages.get(name);
    if (known !== undefined) return known;
    const found = this.find(name, '.idl');
    let pkg: Package;
    if (found !== undefined) {
      const ast = parseIdl(found.input);
      if (ast.package !== name) {
        fail('validation', ast.loc, `the file for package ${name} declares package ${ast.package}`);
      }
      pkg = new Package(name, found.path, ast);
    } else if (name === BUILTIN_TYPES_PACKAGE) {
      pkg = new Package(name, `<builtin>/kl/core/Types.idl`, null);
      pkg.builtinTypes.set('Boolean', { kind: 'boolean' });
    } else if (Object.hasOwn(BUILTIN_IDL, name)) {
      const file = `<builtin>/${name.split('.').join('/')}.idl`;
      pkg = new Package(name, file, parseIdl({ file, text: BUILTIN_IDL[name] as string }));
    } else {
      return this.notFound('IDL package', name, '.idl', from);
    }
    this.packages.set(name, pkg);
    // Imported packages must exist; load them now so errors point at the import.
    for (const imp of pkg.imports) this.package(imp.package, imp.loc);
    return pkg;
  }

  /** Finds the package and definition a (possibly qualified) name refers to from `pkg`. */
  private lookup(pkg: Package, name: string, loc: Loc, what: 'type' | 'constant'): { pkg: Package; simple: string } {
    const has = (p: Package, simple: string): boolean =>
      what === 'constant' ? p.consts.has(simple) : p.types.has(simple) || p.builtinTypes.has(simple);
    const dot = name.lastIndexOf('.');
    if (dot >= 0) {
      const pkgName = name.slice(0, dot);
      const simple = name.slice(dot + 1);
      let target: Package | undefined;
      if (pkgName === pkg.name) target = pkg;
      else if (pkg.imports.some((i) => i.package === pkgName)) target = this.package(pkgName, loc);
      else fail('reference', loc, `${name}: package ${pkgName} is not imported by ${pkg.name}`);
      if (!has(target, simple))
        fail('reference', loc, `unknown ${what} ${name}: package ${pkgName} does not declare ${simple}`);
      return { pkg: target, simple };
    }
    if (has(pkg, name)) return { pkg, simple: name };
    const candidates = pkg.imports.map((i) => this.package(i.package, i.loc)).filter((p) => has(p, name));
    if (candidates.length === 1) return { pkg: candidates[0] as Package, simple: name };
    if (candidates.length > 1) {
      fail(
        'reference',
        loc,
        `${what} ${name} is ambiguous: declared by ${candidates.map((p) => p.name).join(' and ')}`,
      );
    }
    if (what === 'type' && name === 'Boolean') {
      fail(
        'reference',
        loc,
        `unknown type Boolean (it is declared by package kl.core.Types: add import kl.core.Types)`,
      );
    }
    if (what === 'constant' && (pkg.types.has(name) || pkg.builtinTypes.has(name))) {
      fail('validation', loc, `${name} is a type, not a constant`);
    }
    if (what === 'type' && pkg.consts.has(name)) fail('validation', loc, `${name} is a constant, not a type`);
    return fail('reference', loc, `unknown ${what} ${name} in package ${pkg.name}`);
  }

  /* ---------------------------------------------------------- constants */

  /** The value of constant `name` declared in (or imported into) IDL package `packageName`. */
  constantValue(packageName: string, name: string, from?: Loc): bigint {
    const pkg = this.package(packageName, from);
    return this.constant(pkg, name, from ?? pkg.ast?.loc ?? { file: pkg.file, line: 1, column: 1 }, []);
  }

  /** The resolved type `name` as seen from IDL package `packageName`. */
  namedTypeOf(packageName: string, name: string, from?: Loc): ResolvedType {
    const pkg = this.package(packageName, from);
    return this.namedType(pkg, name, from ?? pkg.ast?.loc ?? { file: pkg.file, line: 1, column: 1 }, []);
  }

  /** Evaluates a constant expression in the scope of `pkg`. */
  private evaluate(pkg: Package, expr: ConstExpr, stack: readonly string[] = []): bigint {
    switch (expr.kind) {
      case 'int':
        return expr.value;
      case 'constant':
        return this.constant(pkg, expr.name, expr.loc, stack);
      case 'unary': {
        const v = this.evaluate(pkg, expr.operand, stack);
        return expr.op === '-' ? -v : expr.op === '~' ? ~v : v;
      }
      case 'binary': {
        const a = this.evaluate(pkg, expr.left, stack);
        const b = this.evaluate(pkg, expr.right, stack);
        switch (expr.op) {
          case '|':
            return a | b;
          case '^':
            return a ^ b;
          case '&':
            return a & b;
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
          case '%':
            if (b === 0n) fail('validation', expr.right.loc, 'division by zero in a constant expression');
            return expr.op === '/' ? a / b : a % b;
          case '<<':
          case '>>':
            if (b < 0n || b > MAX_EXPONENT_BITS)
              fail('validation', expr.right.loc, `shift by ${b} is out of range (0..${MAX_EXPONENT_BITS})`);
            return expr.op === '<<' ? a << b : a >> b;
          case '**':
            if (b < 0n) fail('validation', expr.right.loc, 'negative exponent in a constant expression');
            if (b > MAX_EXPONENT_BITS) fail('validation', expr.right.loc, `exponent ${b} is too large`);
            return a ** b;
        }
      }
    }
  }

  private constant(from: Package, name: string, loc: Loc, stack: readonly string[]): bigint {
    const { pkg, simple } = this.lookup(from, name, loc, 'constant');
    const key = `${pkg.name}.${simple}`;
    const memo = pkg.constValues.get(simple);
    if (memo !== undefined) return memo;
    if (stack.includes(key))
      fail('validation', loc, `constant ${key} is defined in terms of itself (${[...stack, key].join(' → ')})`);
    const decl = pkg.consts.get(simple) as IdlConst;
    const type = this.resolveType(pkg, decl.type, [...stack, key]);
    if (type.kind !== 'integer') fail('validation', decl.type.loc, `constant ${simple} must have an integer type`);
    const value = this.evaluate(pkg, decl.value, [...stack, key]);
    const { min, max } = integerRange(type);
    if (value < min || value > max) {
      fail(
        'validation',
        decl.value.loc,
        `value ${value} of constant ${simple} is out of range for ${type.name} (${min}..${max})`,
      );
    }
    pkg.constValues.set(simple, value);
    return value;
  }

  /** Evaluates every constant of a package (so that errors in unused constants are reported too). */
  private checkPackage(pkg: Package): void {
    for (const [name, decl] of pkg.consts) this.constant(pkg, name, decl.loc, []);
    for (const [name, decl] of pkg.types) this.namedType(pkg, name, decl.loc, []);
  }

  /* -------------------------------------------------------------- types */

  private bound(pkg: Package, expr: ConstExpr, what: string, stack: readonly string[]): number {
    const v = this.evaluate(pkg, expr, stack);
    if (v < 1n || v > BigInt(MAX_BOUND))
      fail('validation', expr.loc, `the bound of ${what} must be a positive integer, not ${v}`);
    return Number(v);
  }

  /** Resolves a type as written in package `pkg`. */
  private resolveType(pkg: Package, ref: IdlTypeRef, stack: readonly string[] = []): ResolvedType {
    switch (ref.kind) {
      case 'integer':
        return INTEGER_TYPES[ref.name];
      case 'handle':
        return { kind: 'handle' };
      case 'callableHandle': {
        const target = this.package(ref.interface, ref.loc);
        if (target.ast?.interface == null)
          fail('reference', ref.loc, `handle<${ref.interface}>: package ${ref.interface} declares no interface`);
        return { kind: 'callableHandle', interface: ref.interface };
      }
      case 'string':
        return { kind: 'string', maxLength: this.bound(pkg, ref.size, 'string<N>', stack) };
      case 'bytes':
        return { kind: 'bytes', maxLength: this.bound(pkg, ref.size, 'bytes<N>', stack) };
      case 'sequence':
        return {
          kind: 'sequence',
          element: this.resolveType(pkg, ref.element, stack),
          maxLength: this.bound(pkg, ref.size, 'sequence<T, N>', stack),
        };
      case 'array':
        return {
          kind: 'array',
          element: this.resolveType(pkg, ref.element, stack),
          length: this.bound(pkg, ref.size, 'array<T, N>', stack),
        };
      case 'named':
        return this.namedType(pkg, ref.name, ref.loc, stack);
    }
  }

  private namedType(from: Package, name: string, loc: Loc, stack: readonly string[]): ResolvedType {
    const { pkg, simple } = this.lookup(from, name, loc, 'type');
    const builtin = pkg.builtinTypes.get(simple);
    if (builtin !== undefined) return builtin;
    const key = `${pkg.name}.${simple}`;
    const memo = pkg.resolvedTypes.get(simple);
    if (memo !== undefined) return memo;
    if (stack.includes(key)) fail('validation', loc, `type ${key} contains itself (${[...stack, key].join(' → ')})`);
    const decl = pkg.types.get(simple) as TypeDefinition;
    const inner = [...stack, key];
    let resolved: ResolvedType;
    switch (decl.kind) {
      case 'typedef':
        resolved = { ...this.resolveType(pkg, decl.type, inner), alias: key };
        break;
      case 'struct':
        resolved = {
          kind: 'struct',
          name: key,
          fields: decl.fields.map((f) => ({ name: f.name, type: this.resolveType(pkg, f.type, inner) })),
        };
        break;
      case 'union':
        resolved = {
          kind: 'union',
          name: key,
          members: decl.fields.map((f) => ({ name: f.name, type: this.resolveType(pkg, f.type, inner) })),
        };
        break;
    }
    pkg.resolvedTypes.set(simple, resolved);
    return resolved;
  }

  /* --------------------------------------------------------- interfaces */

  /** The interface of IDL package `name`, with MIDs and resolved parameter types. */
  interface(name: string, from?: Loc): ResolvedInterface {
    const known = this.resolvedInterfaces.get(name);
    if (known !== undefined) return known;
    const pkg = this.package(name, from);
    const iface = pkg.ast?.interface ?? null;
    if (iface === null) {
      return fail('reference', from ?? { file: pkg.file, line: 1, column: 1 }, `package ${name} declares no interface`);
    }
    this.checkPackage(pkg);
    const methods: ResolvedMethod[] = iface.methods.map((m, mid) => {
      const params = (dir: 'in' | 'out' | 'error'): ResolvedParam[] =>
        m.params
          .filter((p) => p.direction === dir)
          .map((p) => ({ name: p.name, type: this.resolveType(pkg, p.type), loc: p.loc }));
      return { mid, name: m.name, in: params('in'), out: params('out'), error: params('error'), loc: m.loc };
    });
    const resolved: ResolvedInterface = { name, file: pkg.file, methods, loc: iface.loc };
    this.resolvedInterfaces.set(name, resolved);
    return resolved;
  }

  private securityInterface(name: string, from: Loc): ResolvedInterface {
    const iface = this.interface(name, from);
    for (const m of iface.methods) {
      if (m.out.length > 0 || m.error.length > 0) {
        fail('validation', m.loc, `method ${m.name} of security interface ${name} may only have in parameters`);
      }
    }
    return iface;
  }

  /* --------------------------------------------------------- components */

  /** The CDL component `name`. */
  component(name: string, from?: Loc): CdlFile {
    const known = this.cdls.get(name);
    if (known !== undefined) return known;
    const found = this.find(name, '.cdl');
    if (found === undefined) return this.notFound('component', name, '.cdl', from);
    const cdl = parseCdl(found.input);
    if (cdl.name !== name) fail('validation', cdl.loc, `the file for component ${name} declares component ${cdl.name}`);
    this.cdls.set(name, cdl);
    return cdl;
  }

  /** The task class `name`, flattened (see the numbering at the top of this file). */
  taskClass(name: string, from?: Loc): ResolvedTaskClass {
    const known = this.edls.get(name);
    if (known !== undefined) return known;
    const found = this.find(name, '.edl');
    if (found === undefined) return this.notFound('task class', name, '.edl', from);
    const edl: EdlFile = parseEdl(found.input);
    if (edl.name !== name) fail('validation', edl.loc, `the file for task class ${name} declares ${edl.name}`);

    const endpoints: ResolvedEndpoint[] = [];
    const securityInterfaces: ResolvedSecurityInterface[] = [];
    const visit = (unit: CdlFile | EdlFile, path: readonly string[], chain: readonly string[]): void => {
      if (unit.security !== null) {
        securityInterfaces.push({
          path,
          interface: this.securityInterface(unit.security.interface, unit.security.loc),
          declaredIn: unit.name,
          loc: unit.security.loc,
        });
      }
      for (const ep of unit.endpoints) {
        endpoints.push({
          riid: endpoints.length,
          qualifiedName: [...path, ep.name].join('.'),
          name: ep.name,
          path,
          interface: this.interface(ep.interface, ep.loc),
          declaredIn: unit.name,
          loc: ep.loc,
        });
      }
      for (const inst of unit.components) {
        if (chain.includes(inst.component)) {
          fail(
            'validation',
            inst.loc,
            `component ${inst.component} contains itself (${[...chain, inst.component].join(' → ')})`,
          );
        }
        visit(this.component(inst.component, inst.loc), [...path, inst.name], [...chain, inst.component]);
      }
    };
    visit(edl, [], [name]);

    const resolved: ResolvedTaskClass = { name, file: found.path, loc: edl.loc, endpoints, securityInterfaces };
    this.edls.set(name, resolved);
    return resolved;
  }
}
