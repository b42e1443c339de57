/**
 * Resolved interface types: what a message parameter may hold, with every
 * constant evaluated, every typedef expanded and every bound known.
 */
import type { IntegerTypeName, Loc } from './ast.ts';

export interface IntegerType {
  readonly kind: 'integer';
  readonly name: IntegerTypeName;
  readonly signed: boolean;
  /** Width in bits. `UIntSize` and `UIntPtr` are taken as 64-bit (Cordon models a 64-bit platform). */
  readonly bits: 8 | 16 | 32 | 64;
}

export type ResolvedType = (
  | IntegerType
  /** `Boolean` from `kl.core.Types` (true or false). */
  | { readonly kind: 'boolean' }
  /** `Handle`: seen by the security module as a SID with a rights mask. */
  | { readonly kind: 'handle' }
  /** `handle<Iface>`. */
  | { readonly kind: 'callableHandle'; readonly interface: string }
  /** `string<N>`: at most `maxLength` characters. */
  | { readonly kind: 'string'; readonly maxLength: number }
  /** `bytes<N>`: at most `maxLength` bytes. */
  | { readonly kind: 'bytes'; readonly maxLength: number }
  /** `sequence<T, N>`: at most `maxLength` elements. */
  | { readonly kind: 'sequence'; readonly element: ResolvedType; readonly maxLength: number }
  /** `array<T, N>`: exactly `length` elements. */
  | { readonly kind: 'array'; readonly element: ResolvedType; readonly length: number }
  /** A struct, by package-qualified name, with its fields in order. */
  | { readonly kind: 'struct'; readonly name: string; readonly fields: readonly ResolvedField[] }
  /** A tagged union, by package-qualified name, with its members in order. */
  | { readonly kind: 'union'; readonly name: string; readonly members: readonly ResolvedField[] }
) & {
  /** The package-qualified typedef name this type was written as, if any (the outermost alias). */
  readonly alias?: string;
};

export interface ResolvedField {
  readonly name: string;
  readonly type: ResolvedType;
}

export const INTEGER_TYPES: Readonly<Record<IntegerTypeName, IntegerType>> = {
  SInt8: { kind: 'integer', name: 'SInt8', signed: true, bits: 8 },
  SInt16: { kind: 'integer', name: 'SInt16', signed: true, bits: 16 },
  SInt32: { kind: 'integer', name: 'SInt32', signed: true, bits: 32 },
  SInt64: { kind: 'integer', name: 'SInt64', signed: true, bits: 64 },
  UInt8: { kind: 'integer', name: 'UInt8', signed: false, bits: 8 },
  UInt16: { kind: 'integer', name: 'UInt16', signed: false, bits: 16 },
  UInt32: { kind: 'integer', name: 'UInt32', signed: false, bits: 32 },
  UInt64: { kind: 'integer', name: 'UInt64', signed: false, bits: 64 },
  UIntSize: { kind: 'integer', name: 'UIntSize', signed: false, bits: 64 },
  UIntPtr: { kind: 'integer', name: 'UIntPtr', signed: false, bits: 64 },
};

/** The smallest and largest value of an integer type. */
export function integerRange(t: IntegerType): { min: bigint; max: bigint } {
  const bits = BigInt(t.bits);
  return t.signed ? { min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n } : { min: 0n, max: (1n << bits) - 1n };
}

export interface ResolvedParam {
  readonly name: string;
  readonly type: ResolvedType;
  readonly loc: Loc;
}

/** A method with its MID (zero-based position in the interface). */
export interface ResolvedMethod {
  readonly mid: number;
  readonly name: string;
  readonly in: readonly ResolvedParam[];
  readonly out: readonly ResolvedParam[];
  readonly error: readonly ResolvedParam[];
  readonly loc: Loc;
}

/** An interface: the `interface { … }` of an IDL package, named by the package. */
export interface ResolvedInterface {
  readonly name: string;
  readonly file: string;
  readonly methods: readonly ResolvedMethod[];
  readonly loc: Loc;
}

/**
 * An endpoint of a task class, flattened out of its components.
 * `qualifiedName` is how PSL selectors name it (`log`, `unit.bolt`).
 */
export interface ResolvedEndpoint {
  readonly riid: number;
  readonly qualifiedName: string;
  readonly name: string;
  /** Component instance names from the task class down to the declaring component. */
  readonly path: readonly string[];
  readonly interface: ResolvedInterface;
  /** The task class or component whose `endpoints` section declares it. */
  readonly declaredIn: string;
  readonly loc: Loc;
}

/** A security interface declared by the task class or one of its components. */
export interface ResolvedSecurityInterface {
  readonly path: readonly string[];
  readonly interface: ResolvedInterface;
  readonly declaredIn: string;
  readonly loc: Loc;
}

export interface ResolvedTaskClass {
  readonly name: string;
  readonly file: string;
  readonly loc: Loc;
  /** All endpoints in RIID order (see `resolve.ts` for the numbering). */
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly securityInterfaces: readonly ResolvedSecurityInterface[];
}
