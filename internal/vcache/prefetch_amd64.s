#include "textflag.h"

// func Line(addr uintptr)
TEXT ·Line(SB), NOSPLIT, $0-8
	MOVQ addr+0(FP), AX
	PREFETCHT0 (AX)
	RET

// func lines(from, to uintptr)
TEXT ·lines(SB), NOSPLIT, $0-16
	MOVQ from+0(FP), AX
	MOVQ to+8(FP), BX
loop:
	CMPQ AX, BX
	JAE  done
	PREFETCHT0 (AX)
	ADDQ $64, AX
	JMP  loop
done:
	RET
