/**
 * Abstract syntax of the formal specification languages: IDL (interfaces),
 * CDL (components) and EDL (task classes). Every node carries the `loc`
 * (file, line, column) of its first character.
 */
import type { Loc } from '../syntax/source.ts';

export type { Loc };

/* ------------------------------------------------------------------- IDL */

export type IntegerTypeName =
  'SInt8' | 'SInt16' | 'SInt32' | 'SInt64' | 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64' | 'UIntSize' | 'UIntPtr';

/** A type as written in IDL. */
export type IdlTypeRef =
  | { readonly kind: 'integer'; readonly name: IntegerTypeName; readonly loc: Loc }
  /** `Handle`: a handle with its rights mask. */
  | { readonly kind: 'handle'; readonly loc: Loc }
  /** `handle<Iface>`: a callable handle for an endpoint of `Iface`. */
  | { readonly kind: 'callableHandle'; readonly interface: string; readonly loc: Loc }
  /** `string<N>`: up to N characters (N+1 bytes with the terminator). */
  | { readonly kind: 'string'; readonly size: ConstExpr; readonly loc: Loc }
  /** `bytes<N>`: up to N bytes. */
  | { readonly kind: 'bytes'; readonly size: ConstExpr; readonly loc: Loc }
  /** `sequence<T, N>`: up to N elements. */
  | { readonly kind: 'sequence'; readonly element: IdlTypeRef; readonly size: ConstExpr; readonly loc: Loc }
  /** `array<T, N>`: exactly N elements. */
  | { readonly kind: 'array'; readonly element: IdlTypeRef; readonly size: ConstExpr; readonly loc: Loc }
  /** A typedef, struct or union, by simple or package-qualified name (`Boolean`, `demo.Types.Label`). */
  | { readonly kind: 'named'; readonly name: string; readonly loc: Loc };

export type ConstBinaryOp = '|' | '^' | '&' | '<<' | '>>' | '+' | '-' | '*' | '/' | '%' | '**';

/** An integer constant expression. */
export type ConstExpr =
  | { readonly kind: 'int'; readonly value: bigint; readonly text: string; readonly loc: Loc }
  | { readonly kind: 'constant'; readonly name: string; readonly loc: Loc }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | '~'; readonly operand: ConstExpr; readonly loc: Loc }
  | {
      readonly kind: 'binary';
      readonly op: ConstBinaryOp;
      readonly left: ConstExpr;
      readonly right: ConstExpr;
      readonly loc: Loc;
    };

/** `const <type> <Name> = <expr>;` */
export interface IdlConst {
  readonly kind: 'const';
  readonly type: IdlTypeRef;
  readonly name: string;
  readonly value: ConstExpr;
  readonly loc: Loc;
}
/** `typedef <type> <Name>;` */
export interface IdlTypedef {
  readonly kind: 'typedef';
  readonly type: IdlTypeRef;
  readonly name: string;
  readonly loc: Loc;
}
export interface IdlField {
  readonly type: IdlTypeRef;
  readonly name: string;
  readonly loc: Loc;
}
/** `struct <Name> { … }` */
export interface IdlStruct {
  readonly kind: 'struct';
  readonly name: string;
  readonly fields: readonly IdlField[];
  readonly loc: Loc;
}
/** `union <Name> { … }` */
export interface IdlUnion {
  readonly kind: 'union';
  readonly name: string;
  readonly fields: readonly IdlField[];
  readonly loc: Loc;
}
export type IdlDefinition = IdlConst | IdlTypedef | IdlStruct | IdlUnion;

export type ParamDirection = 'in' | 'out' | 'error';
export interface IdlParam {
  readonly direction: ParamDirection;
  readonly type: IdlTypeRef;
  readonly name: string;
  readonly loc: Loc;
}
export interface IdlMethod {
  readonly name: string;
  readonly params: readonly IdlParam[];
  readonly loc: Loc;
}
export interface IdlInterface {
  readonly methods: readonly IdlMethod[];
  readonly loc: Loc;
}

export interface IdlFile {
  readonly kind: 'idl';
  readonly file: string;
  /** The package name, which is also the interface's name. */
  readonly package: string;
  readonly loc: Loc;
  readonly imports: readonly { readonly package: string; readonly loc: Loc }[];
  readonly definitions: readonly IdlDefinition[];
  readonly interface: IdlInterface | null;
}

/* --------------------------------------------------------------- CDL/EDL */

/** `<name> : <interface>` in an `endpoints` section. */
export interface EndpointDecl {
  readonly name: string;
  readonly interface: string;
  readonly loc: Loc;
}
/** `<instance> : <component>` in a `components` section. */
export interface ComponentInstanceDecl {
  readonly name: string;
  readonly component: string;
  readonly loc: Loc;
}
/** `security <interface>`. */
export interface SecurityDecl {
  readonly interface: string;
  readonly loc: Loc;
}

interface ComponentBody {
  readonly file: string;
  readonly name: string;
  readonly security: SecurityDecl | null;
  readonly endpoints: readonly EndpointDecl[];
  readonly components: readonly ComponentInstanceDecl[];
  readonly loc: Loc;
}

/** A `.cdl` file: `component <name>` and its sections. */
export interface CdlFile extends ComponentBody {
  readonly kind: 'cdl';
}

/** An `.edl` file: `task class <name>` (or the obsolete `entity <name>`) and its sections. */
export interface EdlFile extends ComponentBody {
  readonly kind: 'edl';
  readonly keyword: 'task class' | 'entity';
}
