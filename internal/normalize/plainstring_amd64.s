//go:build amd64 && !purego

#include "textflag.h"

// plainEnd and its variants (plainstring_amd64.go). Each looks at the
// bytes after p[i] up to the last whole word of eight, in steps of its
// width and then narrower ones, and returns the offset past the first
// special byte when it is the quote, -1 otherwise or when there is none.
// A special byte is the quote, the backslash, or one below 0x20 as a
// signed byte (a control, or one >= 0x80).

// The quote, the backslash and 0x20, thirty-two times each.
DATA special<>+0(SB)/8, $0x2222222222222222
DATA special<>+8(SB)/8, $0x2222222222222222
DATA special<>+16(SB)/8, $0x2222222222222222
DATA special<>+24(SB)/8, $0x2222222222222222
DATA special<>+32(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+40(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+48(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+56(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+64(SB)/8, $0x2020202020202020
DATA special<>+72(SB)/8, $0x2020202020202020
DATA special<>+80(SB)/8, $0x2020202020202020
DATA special<>+88(SB)/8, $0x2020202020202020
GLOBL special<>(SB), RODATA|NOPTR, $96

#define QUOTE special<>+0(SB)
#define BSLASH special<>+32(SB)
#define SPACE special<>+64(SB)

// func plainEnd(p *byte, n, i int) int
//
// The variant start-up chose (plainLevel): a direct jump, the same one
// at every call.
TEXT ·plainEnd(SB), NOSPLIT, $0-32
	CMPB ·plainLevel(SB), $0
	JEQ  sse2
	JMP  ·plainEndAVX2(SB)
sse2:
	JMP ·plainEndSSE2(SB)

// SPECIAL sets a bit of AX for each special byte of X0.
#define SPECIAL \
	MOVOU X0, X1 \
	PCMPEQB X4, X1 \
	MOVOU X0, X2 \
	PCMPEQB X5, X2 \
	POR X2, X1 \
	MOVOU X6, X3 \
	PCMPGTB X0, X3 \
	POR X3, X1 \
	PMOVMSKB X1, AX

// func plainEndSSE2(p *byte, n, i int) int
//
// Sixteen bytes a step, then one step of 8 past the last whole 16.
TEXT ·plainEndSSE2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), BX
	MOVQ i+16(FP), DI
	INCQ DI
	MOVOU QUOTE, X4
	MOVOU BSLASH, X5
	MOVOU SPACE, X6
	LEAQ -16(BX), DX

loop16:
	CMPQ DI, DX
	JGT  tail8
	MOVOU (SI)(DI*1), X0
	SPECIAL
	TESTL AX, AX
	JNZ found
	ADDQ $16, DI
	JMP loop16

tail8:
	LEAQ 8(DI), CX
	CMPQ CX, BX
	JGT none
	MOVQ (SI)(DI*1), X0 // the upper 8 bytes zero, masked off below
	SPECIAL
	ANDL $0xff, AX
	JNZ found

none:
	MOVQ $-1, ret+24(FP)
	RET

found:
	BSFL AX, AX
	ADDQ AX, DI
	CMPB (SI)(DI*1), $0x22
	JNE none
	INCQ DI
	MOVQ DI, ret+24(FP)
	RET

// VSPECIAL sets a bit of AX for each special byte of R0 (X0 or Y0), R6
// holding 0x20s, with R1, R2 and R3 as scratch.
#define VSPECIAL(R0, R1, R2, R3, R6) \
	VPCMPEQB QUOTE, R0, R1 \
	VPCMPEQB BSLASH, R0, R2 \
	VPCMPGTB R0, R6, R3 \
	VPOR R1, R2, R1 \
	VPOR R1, R3, R1 \
	VPMOVMSKB R1, AX

// func plainEndAVX2(p *byte, n, i int) int
//
// Thirty-two bytes a step, then one step of 16 and one of 8 as they fit.
// The quote and the backslash are compared from memory; only 0x20 (the
// signed comparison's first operand) is loaded.
TEXT ·plainEndAVX2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), BX
	MOVQ i+16(FP), DI
	INCQ DI
	VMOVDQU SPACE, Y6
	LEAQ -32(BX), DX

avx2loop32:
	CMPQ DI, DX
	JGT  avx2tail16
	VMOVDQU (SI)(DI*1), Y0
	VSPECIAL(Y0, Y1, Y2, Y3, Y6)
	TESTL AX, AX
	JNZ avx2found
	ADDQ $32, DI
	JMP avx2loop32

avx2tail16:
	LEAQ 16(DI), CX
	CMPQ CX, BX
	JGT avx2tail8
	VMOVDQU (SI)(DI*1), X0
	VSPECIAL(X0, X1, X2, X3, X6)
	TESTL AX, AX
	JNZ avx2found
	ADDQ $16, DI

avx2tail8:
	LEAQ 8(DI), CX
	CMPQ CX, BX
	JGT avx2none
	VMOVQ (SI)(DI*1), X0 // the upper 8 bytes zero, masked off below
	VSPECIAL(X0, X1, X2, X3, X6)
	ANDL $0xff, AX
	JNZ avx2found

avx2none:
	VZEROUPPER
	MOVQ $-1, ret+24(FP)
	RET

avx2found:
	VZEROUPPER
	BSFL AX, AX
	ADDQ AX, DI
	CMPB (SI)(DI*1), $0x22
	JNE avx2none
	INCQ DI
	MOVQ DI, ret+24(FP)
	RET
