//go:build amd64 && !purego

#include "textflag.h"

// The quote, the backslash and 0x20, sixteen times each.
DATA special<>+0(SB)/8, $0x2222222222222222
DATA special<>+8(SB)/8, $0x2222222222222222
DATA special<>+16(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+24(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+32(SB)/8, $0x2020202020202020
DATA special<>+40(SB)/8, $0x2020202020202020
GLOBL special<>(SB), RODATA|NOPTR, $48

// SPECIAL sets a bit of AX for each special byte of X0: the quote, the
// backslash, and each byte below 0x20 as a signed byte (a control, or
// one >= 0x80).
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

// func plainEnd(p *byte, n, i int) int
//
// The first special byte after p[i] ends the literal: the offset past
// it when it is the quote, -1 otherwise or when there is none. Sixteen
// bytes a step, then one step of 8 past the last whole 16, so that the
// bytes looked at are plainStringWords'.
TEXT ·plainEnd(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), BX
	MOVQ i+16(FP), DI
	INCQ DI
	MOVOU special<>+0(SB), X4
	MOVOU special<>+16(SB), X5
	MOVOU special<>+32(SB), X6
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
