//go:build !purego

#include "textflag.h"

// JOIN_MASKS joins the four sixteen-bit masks in AX, BX, R8 and R9 (bytes
// 0-15, 16-31, 32-47, 48-63 of a block) into one 64-bit word in AX.
#define JOIN_MASKS \
	SHLQ $16, BX \
	SHLQ $32, R8 \
	SHLQ $48, R9 \
	ORQ BX, AX \
	ORQ R9, R8 \
	ORQ R8, AX

// func markBlocksSSE2(p *byte, n int, nl, colon *uint64)
//
// For each 64-byte block: four 16-byte loads, compared bytewise with '\n'
// and with ':'; the sixteen-bit masks of each comparison are joined into
// one 64-bit word per class.
TEXT ·markBlocksSSE2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ nl+16(FP), DI
	MOVQ colon+24(FP), DX
	MOVQ $0x0a0a0a0a0a0a0a0a, AX
	MOVQ AX, X8
	PUNPCKLQDQ X8, X8
	MOVQ $0x3a3a3a3a3a3a3a3a, AX
	MOVQ AX, X9
	PUNPCKLQDQ X9, X9
	TESTQ CX, CX
	JZ done

loop:
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3

	MOVO X0, X4
	MOVO X1, X5
	MOVO X2, X6
	MOVO X3, X7
	PCMPEQB X8, X4
	PCMPEQB X8, X5
	PCMPEQB X8, X6
	PCMPEQB X8, X7
	PMOVMSKB X4, AX
	PMOVMSKB X5, BX
	PMOVMSKB X6, R8
	PMOVMSKB X7, R9
	JOIN_MASKS
	MOVQ AX, (DI)

	PCMPEQB X9, X0
	PCMPEQB X9, X1
	PCMPEQB X9, X2
	PCMPEQB X9, X3
	PMOVMSKB X0, AX
	PMOVMSKB X1, BX
	PMOVMSKB X2, R8
	PMOVMSKB X3, R9
	JOIN_MASKS
	MOVQ AX, (DX)

	ADDQ $64, SI
	ADDQ $8, DI
	ADDQ $8, DX
	DECQ CX
	JNZ loop

done:
	RET
