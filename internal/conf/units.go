package conf

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// maxValueLen bounds the text the number parsers look at, so a hostile value
// cannot make big-number arithmetic expensive.
const maxValueLen = 256

var (
	errDuration = errors.New("invalid duration")
	errBytes    = errors.New("invalid size")
)

// Duration units in nanoseconds. Alluxio spells them many ways and
// property files in the wild use all of them, so accept each.
var durationUnits = map[string]int64{
	"ns": 1, "nanosecond": 1, "nanoseconds": 1,
	"us": 1e3, "µs": 1e3, "micros": 1e3, "microsecond": 1e3, "microseconds": 1e3,
	"": 1e6, "ms": 1e6, "milli": 1e6, "millis": 1e6, "millisecond": 1e6, "milliseconds": 1e6,
	"s": 1e9, "sec": 1e9, "secs": 1e9, "second": 1e9, "seconds": 1e9,
	"m": 60e9, "min": 60e9, "mins": 60e9, "minute": 60e9, "minutes": 60e9,
	"h": 3600e9, "hr": 3600e9, "hrs": 3600e9, "hour": 3600e9, "hours": 3600e9,
	"d": 86400e9, "day": 86400e9, "days": 86400e9,
}

// Size units in bytes; multiples are binary (1KB = 1024) as in Alluxio.
var byteUnits = func() map[string]int64 {
	m := map[string]int64{"": 1, "b": 1}
	for i, p := range []string{"k", "m", "g", "t", "p", "e"} {
		v := int64(1) << (10 * (i + 1))
		for _, suffix := range []string{"", "b", "i", "ib"} {
			m[p+suffix] = v
		}
	}
	return m
}()

// ParseDuration parses an Alluxio duration: a number, optionally with a
// fraction, and a case-insensitive unit such as ms, s, sec, m, min, h, hour
// or day. A bare number is milliseconds ("100" is 100ms) and "m" is minutes,
// unlike time.ParseDuration. Negative values are returned as they are;
// Alluxio uses -1 for "never".
func ParseDuration(s string) (time.Duration, error) {
	neg, num, unit, ok := splitNumber(s)
	mult, known := durationUnits[unit]
	if !ok || !known {
		return 0, &ValueError{Value: s, Err: errDuration}
	}
	n, ok := scale(num, mult)
	if !ok {
		return 0, &ValueError{Value: s, Err: fmt.Errorf("%w: out of range", errDuration)}
	}
	if neg {
		n = -n
	}
	return time.Duration(n), nil
}

// ParseBytes parses an Alluxio size: a number, optionally with a fraction,
// and a case-insensitive unit B, KB, MB, GB, TB, PB or EB (K, M, G... and
// KiB, MiB... too). A bare number is bytes. 1KB is 1024 bytes.
func ParseBytes(s string) (int64, error) {
	neg, num, unit, ok := splitNumber(s)
	mult, known := byteUnits[unit]
	if !ok || !known {
		return 0, &ValueError{Value: s, Err: errBytes}
	}
	n, ok := scale(num, mult)
	if !ok {
		return 0, &ValueError{Value: s, Err: fmt.Errorf("%w: out of range", errBytes)}
	}
	if neg && n != 0 {
		return 0, &ValueError{Value: s, Err: fmt.Errorf("%w: negative", errBytes)}
	}
	return n, nil
}

// splitNumber splits "  -1.5 GB " into its sign, its digits "1.5" and its
// lower-cased unit "gb". ok is false when there is no well-formed number.
func splitNumber(s string) (neg bool, num, unit string, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) > maxValueLen {
		return false, "", "", false
	}
	if rest, found := strings.CutPrefix(s, "-"); found {
		neg, s = true, rest
	}
	i, digits, dot := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits++
		} else if c == '.' && !dot {
			dot = true
		} else {
			break
		}
	}
	if digits == 0 {
		return false, "", "", false
	}
	return neg, s[:i], strings.ToLower(strings.TrimSpace(s[i:])), true
}

// scale returns num*mult truncated toward zero, and false if it does not fit
// an int64. Exact rational arithmetic avoids the rounding that makes
// Alluxio add a fudge term to its double arithmetic.
func scale(num string, mult int64) (int64, bool) {
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}

// FormatBytes prints n as Alluxio's FormatUtils.getSizeFromBytes does, which
// is what users see in Alluxio's reports: whole bytes up to 5120B, then the
// largest unit that keeps the number at most 5120, with two decimals
// ("64.00MB", "100B").
func FormatBytes(n int64) string {
	if n <= 5*1024 {
		return fmt.Sprintf("%dB", n)
	}
	units := []string{"KB", "MB", "GB", "TB", "PB", "EB"}
	div := big.NewInt(1024)
	limit := new(big.Int).Mul(big.NewInt(5*1024), div)
	v := big.NewInt(n)
	i := 0
	for i < len(units)-1 && v.Cmp(limit) > 0 {
		div.Lsh(div, 10)
		limit.Lsh(limit, 10)
		i++
	}
	// Round half up to hundredths, as Java's String.format does.
	hundredths := new(big.Int).Mul(v, big.NewInt(200))
	hundredths.Add(hundredths, div)
	hundredths.Quo(hundredths, new(big.Int).Lsh(div, 1))
	whole, frac := new(big.Int).QuoRem(hundredths, big.NewInt(100), new(big.Int))
	return fmt.Sprintf("%s.%02d%s", whole, frac.Int64(), units[i])
}
