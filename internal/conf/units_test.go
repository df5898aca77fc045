package conf

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"10s", 10 * time.Second},
		{"5min", 5 * time.Minute},
		{"1sec", time.Second},
		{"100ms", 100 * time.Millisecond},
		{"1hour", time.Hour},
		{"2h", 2 * time.Hour},
		{"1day", 24 * time.Hour},
		{"3days", 72 * time.Hour},
		{"1d", 24 * time.Hour},
		{"1m", time.Minute},
		{"1M", time.Minute},
		{"500us", 500 * time.Microsecond},
		{"7ns", 7},
		{"100", 100 * time.Millisecond},
		{"0", 0},
		{"-1", -time.Millisecond},
		{"-1s", -time.Second},
		{"10SEC", 10 * time.Second},
		{"2Seconds", 2 * time.Second},
		{"1second", time.Second},
		{"30secs", 30 * time.Second},
		{"5 min", 5 * time.Minute},
		{"  60s  ", time.Minute},
		{"2mins", 2 * time.Minute},
		{"1minute", time.Minute},
		{"4minutes", 4 * time.Minute},
		{"1hr", time.Hour},
		{"2hours", 2 * time.Hour},
		{"3millis", 3 * time.Millisecond},
		{"1.5s", 1500 * time.Millisecond},
		{".5s", 500 * time.Millisecond},
		{"1.s", time.Second},
		{"0.0000000001s", 0}, // below a nanosecond truncates
		{"106751days", 106751 * 24 * time.Hour},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	for _, in := range []string{
		"", " ", "abc", "s", "-", ".", "1..5s", "1.5.5s", "10 parsecs", "1e3s",
		"1s2", "--1", "+1s", "0x10", "1 0s", "106752days", "9999999999999999999999",
		"1w", "NaN",
	} {
		d, err := ParseDuration(in)
		if err == nil {
			t.Errorf("ParseDuration(%q) = %v, want error", in, d)
			continue
		}
		if !errors.Is(err, ErrInvalidValue) {
			t.Errorf("ParseDuration(%q) error %v does not wrap ErrInvalidValue", in, err)
		}
	}
	_, err := ParseDuration("abc")
	if got, want := err.Error(), `"abc": invalid duration`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestParseBytes(t *testing.T) {
	const (
		kb = int64(1) << 10
		mb = kb << 10
		gb = mb << 10
		tb = gb << 10
		pb = tb << 10
	)
	tests := []struct {
		in   string
		want int64
	}{
		{"64MB", 64 * mb},
		{"10MB", 10 * mb},
		{"1GB", gb},
		{"512KB", 512 * kb},
		{"1TB", tb},
		{"2PB", 2 * pb},
		{"64m", 64 * mb},
		{"1g", gb},
		{"1k", kb},
		{"3t", 3 * tb},
		{"1p", pb},
		{"100B", 100},
		{"100b", 100},
		{"100", 100},
		{"0", 0},
		{"-0", 0},
		{"1.5GB", gb + gb/2},
		{"0.5KB", 512},
		{"1.0001KB", 1024}, // truncated toward zero
		{"1 GB", gb},
		{" 8MB ", 8 * mb},
		{"1KiB", kb},
		{"1Mi", mb},
		{"4gib", 4 * gb},
		{"7EB", 7 << 60},
		{"9223372036854775807", math.MaxInt64},
	}
	for _, tt := range tests {
		got, err := ParseBytes(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBytes(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseBytesErrors(t *testing.T) {
	for _, in := range []string{
		"", "MB", "abc", "-1", "-1MB", "1XB", "1 0MB", "1.2.3MB", "8EB",
		"9223372036854775808", "1e9", "0x10", "1,024",
	} {
		if n, err := ParseBytes(in); err == nil || !errors.Is(err, ErrInvalidValue) {
			t.Errorf("ParseBytes(%q) = %v, %v; want an ErrInvalidValue", in, n, err)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0B"},
		{100, "100B"},
		{1024, "1024B"},
		{5120, "5120B"},
		{5121, "5.00KB"},
		{512 << 10, "512.00KB"},
		{5 << 20, "5120.00KB"},
		{10 << 20, "10.00MB"},
		{64 << 20, "64.00MB"},
		{1 << 30, "1024.00MB"},
		{10 << 30, "10.00GB"},
		{1536 << 30, "1536.00GB"},
		{10 << 40, "10.00TB"},
		{10 << 50, "10.00PB"},
		{math.MaxInt64, "8.00EB"},
		{1152, "1152B"},
		{5765, "5.63KB"},
		{-5, "-5B"},
	}
	for _, tt := range tests {
		if got := FormatBytes(tt.in); got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatBytesRoundsHalfUp(t *testing.T) {
	// 6.125KB is exact in binary; Go's %.2f would give 6.12, Java gives 6.13.
	if got := FormatBytes(6272); got != "6.13KB" {
		t.Errorf("FormatBytes(6272) = %q, want 6.13KB", got)
	}
}

func TestFormatParseRoundTrip(t *testing.T) {
	for _, n := range []int64{0, 1, 100, 5120, 64 << 20, 10 << 30, 3 << 40} {
		got, err := ParseBytes(FormatBytes(n))
		if err != nil || got != n {
			t.Errorf("ParseBytes(FormatBytes(%d)) = %d, %v", n, got, err)
		}
	}
}
