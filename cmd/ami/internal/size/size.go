// Package size reads and writes byte counts the way `ami`'s flags and
// messages spell them: "64MiB", "512KiB", "10 MB".
package size

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Max is the largest size Parse accepts (2^31-1 MiB): buffers are counted
// in ints, and nothing `ami` holds comes near it.
const Max = math.MaxInt32 * (1 << 20)

// Parse reads a byte count such as "64MiB", "512KiB", "1G", "1000000" or
// "10 MB": a decimal number (fractions allowed), optional spaces, and a
// unit. K/M/G/T with or without "i" and "B" are powers of 1024 (as
// buffers are measured); "kB", "MB", "GB" and "TB" (capital B, no i) are
// powers of 1000; no unit or "B" means bytes. The result is at least 1
// and at most Max. The error names s and, for an unknown unit, the unit.
func Parse(s string) (int, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.TrimSpace(t[i:])
	if num == "" {
		return 0, fmt.Errorf("bad size %q: want a number and a unit, like 64MiB", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q: want a number and a unit, like 64MiB", s)
	}
	mult := 0.0
	switch unit {
	case "", "B", "b":
		mult = 1
	case "k", "K", "Ki", "KiB", "KB":
		mult = 1 << 10
	case "M", "Mi", "MiB":
		mult = 1 << 20
	case "G", "Gi", "GiB":
		mult = 1 << 30
	case "T", "Ti", "TiB":
		mult = 1 << 40
	case "kB":
		mult = 1e3
	case "MB":
		mult = 1e6
	case "GB":
		mult = 1e9
	case "TB":
		mult = 1e12
	default:
		return 0, fmt.Errorf("bad size %q: unknown unit %q (use B, KiB, MiB, GiB)", s, unit)
	}
	v := f * mult
	if v < 1 || v > Max || math.IsNaN(v) {
		return 0, fmt.Errorf("bad size %q: out of range", s)
	}
	return int(v), nil
}

// Format renders n bytes compactly for messages, in the largest binary
// unit that leaves at least 1, with at most one decimal: "64MiB",
// "1.5KiB", "100B".
func Format(n int) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v := float64(n)
	u := 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64) + units[u]
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + units[u]
}
