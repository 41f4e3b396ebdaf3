//go:build amd64 && !purego

#include "textflag.h"

// plainEnd and its variants (plainstring_amd64.go). Each looks at the
// bytes after p[i] up to the last whole word of eight, in steps of its
// width and then narrower ones, and returns the offset past the first
// special byte when it is the quote, -1 otherwise or when there is none.
// A special byte is the quote, the backslash, or one below 0x20 as a
// signed byte (a control, or one >= 0x80).

// The quote, the backslash and 0x20, sixty-four times each.
DATA special<>+0(SB)/8, $0x2222222222222222
DATA special<>+8(SB)/8, $0x2222222222222222
DATA special<>+16(SB)/8, $0x2222222222222222
DATA special<>+24(SB)/8, $0x2222222222222222
DATA special<>+32(SB)/8, $0x2222222222222222
DATA special<>+40(SB)/8, $0x2222222222222222
DATA special<>+48(SB)/8, $0x2222222222222222
DATA special<>+56(SB)/8, $0x2222222222222222
DATA special<>+64(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+72(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+80(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+88(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+96(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+104(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+112(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+120(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA special<>+128(SB)/8, $0x2020202020202020
DATA special<>+136(SB)/8, $0x2020202020202020
DATA special<>+144(SB)/8, $0x2020202020202020
DATA special<>+152(SB)/8, $0x2020202020202020
DATA special<>+160(SB)/8, $0x2020202020202020
DATA special<>+168(SB)/8, $0x2020202020202020
DATA special<>+176(SB)/8, $0x2020202020202020
DATA special<>+184(SB)/8, $0x2020202020202020
GLOBL special<>(SB), RODATA|NOPTR, $192

#define QUOTE special<>+0(SB)
#define BSLASH special<>+64(SB)
#define SPACE special<>+128(SB)

// func plainEnd(p *byte, n, i int) int
//
// The variant start-up chose (plainLevel).
TEXT ·plainEnd(SB), NOSPLIT, $0-32
	CMPB ·plainLevel(SB), $1
	JLT  sse2
	JEQ  avx2
	JMP  ·plainEndAVX512(SB)
avx2:
	JMP ·plainEndAVX2(SB)
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

// VSPECIAL sets a bit of AX for each special byte of R0, with the
// quote, the backslash and 0x20 in R4, R5 and R6 (X or Y registers).
#define VSPECIAL(R0, R1, R2, R3, R4, R5, R6) \
	VPCMPEQB R0, R4, R1 \
	VPCMPEQB R0, R5, R2 \
	VPCMPGTB R0, R6, R3 \
	VPOR R1, R2, R1 \
	VPOR R1, R3, R1 \
	VPMOVMSKB R1, AX

// func plainEndAVX2(p *byte, n, i int) int
//
// Thirty-two bytes a step, then one of 16 and one of 8 as they fit.
TEXT ·plainEndAVX2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), BX
	MOVQ i+16(FP), DI
	INCQ DI
	VPBROADCASTB QUOTE, Y4
	VPBROADCASTB BSLASH, Y5
	VPBROADCASTB SPACE, Y6
	LEAQ -32(BX), DX

avx2loop32:
	CMPQ DI, DX
	JGT  avx2tail16
	VMOVDQU (SI)(DI*1), Y0
	VSPECIAL(Y0, Y1, Y2, Y3, Y4, Y5, Y6)
	TESTL AX, AX
	JNZ avx2found
	ADDQ $32, DI
	JMP avx2loop32

avx2tail16:
	LEAQ 16(DI), CX
	CMPQ CX, BX
	JGT avx2tail8
	VMOVDQU (SI)(DI*1), X0
	VSPECIAL(X0, X1, X2, X3, X4, X5, X6)
	TESTL AX, AX
	JNZ avx2found
	ADDQ $16, DI

avx2tail8:
	LEAQ 8(DI), CX
	CMPQ CX, BX
	JGT avx2none
	VMOVQ (SI)(DI*1), X0 // the upper 8 bytes zero, masked off below
	VSPECIAL(X0, X1, X2, X3, X4, X5, X6)
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

// func plainEndAVX512(p *byte, n, i int) int
//
// Sixty-four bytes a step; the last step, of fewer, loads only the bytes
// it looks at (a masked load does not fault on the bytes it leaves out).
// Only Z16-Z31 are used, whose upper halves no SSE instruction sees: no
// VZEROUPPER is needed. K1, K2 and K3 flag the quotes, backslashes and
// controls.
TEXT ·plainEndAVX512(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), BX
	MOVQ i+16(FP), DI
	INCQ DI
	SUBQ DI, BX
	ANDQ $~7, BX // BX: the bytes left to look at, whole words
	ADDQ SI, DI  // DI: the next of them

avx512loop64:
	CMPQ BX, $64
	JLT  avx512tail
	VMOVDQU64 (DI), Z16
	VPCMPEQB QUOTE, Z16, K1
	VPCMPEQB BSLASH, Z16, K2
	VPCMPB $1, SPACE, Z16, K3 // less than, signed
	KORQ K1, K2, K2
	KORTESTQ K2, K3
	JNZ avx512found
	ADDQ $64, DI
	SUBQ $64, BX
	JMP avx512loop64

avx512tail:
	TESTQ BX, BX
	JZ    avx512none
	MOVQ  $-1, AX
	BZHIQ BX, AX, AX
	KMOVQ AX, K4
	// The bytes left out read as zero, a control: a literal whose quote
	// is not among the bytes looked at is not plain either way.
	VMOVDQU8.Z (DI), K4, Z16
	VPCMPEQB QUOTE, Z16, K1
	VPCMPEQB BSLASH, Z16, K2
	VPCMPB $1, SPACE, Z16, K3
	KORQ K1, K2, K2
	KORTESTQ K2, K3
	JNZ avx512found

avx512none:
	MOVQ $-1, ret+24(FP)
	RET

avx512found:
	KORQ K2, K3, K3
	KMOVQ K3, AX
	KMOVQ K1, CX
	BSFQ AX, AX
	BTQ AX, CX // the first special byte, a quote?
	JCC avx512none
	LEAQ 1(DI)(AX*1), DI
	SUBQ SI, DI
	MOVQ DI, ret+24(FP)
	RET
