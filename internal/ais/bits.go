package ais

import "encoding/binary"

// maxPayloadBits bounds a reassembled payload: 9 fragments of at most 82
// characters leave far fewer than 9*82*6 bits, and the longest message
// (type 26, five slots) is 1064 bits; we allow the NMEA maximum.
const maxPayloadBits = 9 * 82 * 6

// Bits is a decoded payload: the 6-bit characters packed big-endian into
// bytes, with zero padding so that reads past the end yield zero bits.
type Bits struct {
	buf []byte
	n   int // number of valid bits
}

// Len is the number of payload bits.
func (b *Bits) Len() int { return b.n }

// armour maps a payload character to its 6-bit value; 0xFF marks invalid.
var armour = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for c := byte('0'); c <= 'W'; c++ {
		t[c] = c - '0'
	}
	for c := byte('`'); c <= 'w'; c++ {
		t[c] = c - '0' - 8
	}
	return t
}()

// appendArmoured unpacks armoured payload characters onto the bit buffer,
// starting at bit b.n. Callers have validated the characters.
func (b *Bits) appendArmoured(p []byte) {
	need := (b.n+len(p)*6)/8 + 9
	if cap(b.buf) < need {
		nb := make([]byte, len(b.buf), need*2)
		copy(nb, b.buf)
		b.buf = nb
	}
	b.buf = b.buf[:need]
	// Work four characters (24 bits, 3 bytes) at a time when byte-aligned.
	i := 0
	if b.n%8 == 0 {
		o := b.n / 8
		for ; i+4 <= len(p); i += 4 {
			v := uint32(armour[p[i]])<<18 | uint32(armour[p[i+1]])<<12 |
				uint32(armour[p[i+2]])<<6 | uint32(armour[p[i+3]])
			b.buf[o] = byte(v >> 16)
			b.buf[o+1] = byte(v >> 8)
			b.buf[o+2] = byte(v)
			o += 3
		}
		b.n += i * 6
	}
	for ; i < len(p); i++ {
		b.put6(armour[p[i]])
	}
	// Clear the padding so stale bits of an earlier, longer payload never
	// leak into reads past the end.
	end := (b.n + 7) / 8
	if r := b.n % 8; r != 0 {
		b.buf[end-1] &^= 0xFF >> r
	}
	clear(b.buf[end:])
}

func (b *Bits) put6(v byte) {
	o, r := b.n/8, b.n%8
	// v occupies bits r..r+5 of the 16-bit window at o.
	w := uint16(v) << (10 - r)
	b.buf[o] = b.buf[o]&^byte(0xFF>>r) | byte(w>>8)
	if r > 2 {
		b.buf[o+1] = byte(w)
	}
	b.n += 6
}

func (b *Bits) reset() {
	b.buf = b.buf[:0]
	b.n = 0
}

// trim drops fill bits from the end.
func (b *Bits) trim(fill int) {
	b.n -= fill
	if b.n < 0 {
		b.n = 0
	}
	end := (b.n + 7) / 8
	if r := b.n % 8; r != 0 {
		b.buf[end-1] &^= 0xFF >> r
	}
	clear(b.buf[end:])
}

// U reads an unsigned field of n ≤ 57 bits at bit offset off. Bits past the
// payload read as zero.
func (b *Bits) U(off, n int) uint64 {
	o := off / 8
	if o+8 > len(b.buf) {
		return b.uSlow(off, n)
	}
	v := binary.BigEndian.Uint64(b.buf[o:])
	return v << (off % 8) >> (64 - n)
}

func (b *Bits) uSlow(off, n int) uint64 {
	var v uint64
	for i := 0; i < n; i++ {
		p := off + i
		v <<= 1
		if p/8 < len(b.buf) && b.buf[p/8]&(0x80>>(p%8)) != 0 {
			v |= 1
		}
	}
	return v
}

// I reads a two's-complement signed field of n bits.
func (b *Bits) I(off, n int) int64 {
	v := b.U(off, n)
	return int64(v<<(64-n)) >> (64 - n)
}

// B reads one bit as a bool.
func (b *Bits) B(off int) bool { return b.U(off, 1) != 0 }

// sixbitASCII is the AIS 6-bit character set (ITU-R M.1371 Table 47).
const sixbitASCII = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"

// Text reads a 6-bit text field of up to chars characters. It stops at the
// first '@' (the padding character) or the end of the payload and trims
// trailing spaces, as gpsd does.
func (b *Bits) Text(off, chars int) string {
	var tmp [64]byte
	return string(trimRight(b.appendText(tmp[:0], off, chars)))
}

func trimRight(s []byte) []byte {
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// appendText appends up to chars 6-bit characters, stopping at '@' or the
// end of the payload, without trimming. A last character cut short by the
// end of the payload reads as if zero-padded (type 5 of 420-423 bits), as
// gpsd reads it.
func (b *Bits) appendText(dst []byte, off, chars int) []byte {
	for i := 0; i < chars && off < b.n; i++ {
		c := sixbitASCII[b.U(off, 6)]
		if c == '@' {
			break
		}
		dst = append(dst, c)
		off += 6
	}
	return dst
}

// Bytes copies the n bits at off into a new byte slice, left-aligned.
func (b *Bits) Bytes(off, n int) []byte {
	if n <= 0 {
		return nil
	}
	out := make([]byte, (n+7)/8)
	for i := range out {
		w := 8
		if rem := n - i*8; rem < 8 {
			w = rem
		}
		out[i] = byte(b.U(off+i*8, w) << (8 - w))
	}
	return out
}
