import { Type, type Static } from '@sinclair/typebox';
import { NullableStringList, open, orNull } from './fragments.js';

/**
 * Docker's seccomp profile format (moby profiles/seccomp, once api/types/seccomp.go): what
 * `--security-opt seccomp=<profile.json>` carries (the docker CLI reads the file and sends its JSON
 * text inline). Rules may be conditional on capabilities, architectures and kernel version.
 */

const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    { description },
  );

const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;
const SeccompActionSchema = literals(SECCOMP_ACTIONS, `a seccomp action (${SECCOMP_ACTIONS.join(', ')})`);
export type SeccompAction = Static<typeof SeccompActionSchema>;

const SECCOMP_OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
const SeccompOperatorSchema = literals(SECCOMP_OPERATORS, `a seccomp operator (${SECCOMP_OPERATORS.join(', ')})`);
export type SeccompOperator = Static<typeof SeccompOperatorSchema>;

/** The architectures libseccomp (and so runc) knows. */
const SECCOMP_ARCHITECTURES = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_RISCV64',
  'SCMP_ARCH_LOONGARCH64',
] as const;
const SeccompArchitecture = literals(SECCOMP_ARCHITECTURES, 'a seccomp architecture such as SCMP_ARCH_X86_64');

const SECCOMP_FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] as const;

/** Syscall argument values are 64-bit; JSON numbers past 2^53 would silently lose precision. */
const SyscallArgValue = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: `an integer from 0 to ${Number.MAX_SAFE_INTEGER}` });

const SeccompArgSchema = Type.Object(
  {
    index: Type.Integer({ minimum: 0, maximum: 5, description: 'a syscall argument index from 0 to 5' }),
    value: SyscallArgValue,
    valueTwo: Type.Optional(SyscallArgValue),
    op: SeccompOperatorSchema,
  },
  open,
);

const SeccompFilterSchema = Type.Object(
  {
    caps: Type.Optional(NullableStringList),
    arches: Type.Optional(NullableStringList),
    minKernel: Type.Optional(orNull(Type.String({ pattern: '^[0-9]+\\.[0-9]+', description: 'a kernel version such as "5.8"' }))),
  },
  open,
);
export type SeccompFilter = Static<typeof SeccompFilterSchema>;

const Errno = Type.Integer({ minimum: 0, maximum: 4095, description: 'an errno number from 0 to 4095' });

const SeccompRuleSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    names: Type.Optional(NullableStringList),
    action: SeccompActionSchema,
    errnoRet: Type.Optional(orNull(Errno)),
    args: Type.Optional(orNull(Type.Array(SeccompArgSchema))),
    comment: Type.Optional(Type.String()),
    includes: Type.Optional(orNull(SeccompFilterSchema)),
    excludes: Type.Optional(orNull(SeccompFilterSchema)),
  },
  open,
);
export type SeccompRule = Static<typeof SeccompRuleSchema>;

export const SeccompProfileSchema = Type.Object(
  {
    defaultAction: SeccompActionSchema,
    defaultErrnoRet: Type.Optional(orNull(Errno)),
    architectures: Type.Optional(orNull(Type.Array(SeccompArchitecture))),
    archMap: Type.Optional(
      orNull(Type.Array(Type.Object({ architecture: SeccompArchitecture, subArchitectures: orNull(Type.Array(SeccompArchitecture)) }, open))),
    ),
    flags: Type.Optional(orNull(Type.Array(literals(SECCOMP_FLAGS, `a seccomp flag (${SECCOMP_FLAGS.join(', ')})`)))),
    listenerPath: Type.Optional(Type.String()),
    syscalls: Type.Optional(orNull(Type.Array(SeccompRuleSchema))),
  },
  open,
);
export type SeccompProfile = Static<typeof SeccompProfileSchema>;
