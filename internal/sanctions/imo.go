package sanctions

import "strings"

// IMOCheck reports whether n is a seven-digit IMO ship number whose check
// digit is right: the first six digits weighted 7, 6, 5, 4, 3, 2, summed,
// mod 10, equal the seventh (IMO 9179842: 9·7+1·6+7·5+9·4+8·3+4·2 = 172 → 2).
// IMO company and registered-owner numbers are also seven digits but follow
// no such rule, so a number that fails here on a company is not an error.
func IMOCheck(n uint32) bool {
	if n < 1000000 || n > 9999999 {
		return false
	}
	check := n % 10
	n /= 10
	sum := uint32(0)
	for w := uint32(2); w <= 7; w++ {
		sum += (n % 10) * w
		n /= 10
	}
	return sum%10 == check
}

// ParseIMO reads an IMO number written as "IMO 9179842", "IMO9179842",
// "IMO: 9179842", "IMO No. 9179842" or "9179842" (case-insensitive, spaces
// ignored). It returns the number and whether its check digit is right;
// n is 0 when s holds no seven-digit number at all.
func ParseIMO(s string) (n uint32, valid bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && strings.EqualFold(s[:3], "IMO") {
		s = s[3:]
	}
	s = strings.TrimLeft(s, " :.#")
	if len(s) >= 2 && strings.EqualFold(s[:2], "NO") {
		s = strings.TrimLeft(s[2:], " :.#")
	}
	s = strings.TrimRight(s, " .;,")
	if len(s) != 7 {
		return 0, false
	}
	for i := 0; i < 7; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint32(c-'0')
	}
	if n == 0 {
		return 0, false
	}
	return n, IMOCheck(n)
}

// ParseMMSI reads a nine-digit MMSI ("MMSI 273612520" or "273612520");
// 0 when s is not one.
func ParseMMSI(s string) uint32 {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && strings.EqualFold(s[:4], "MMSI") {
		s = strings.TrimLeft(s[4:], " :.#")
	}
	s = strings.TrimRight(s, " .;,")
	if len(s) != 9 {
		return 0
	}
	var n uint32
	for i := 0; i < 9; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + uint32(c-'0')
	}
	return n
}
