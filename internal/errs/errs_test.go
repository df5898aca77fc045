package errs

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var sentinels = []error{
	ErrNotFound, ErrAlreadyExists, ErrNotEmpty, ErrInvalidPath, ErrInvalidArg, ErrPermission, ErrUnauthenticated, ErrUnavailable,
	ErrNotPrimary, ErrPrecondition, ErrIsDirectory, ErrNotDirectory, ErrIncomplete, ErrCorrupt, ErrNoSpace, ErrInternal,
	ErrReadOnly, ErrCrossMount,
}

// TestEverySentinelIsMapped keeps kinds and the list above in step: a new
// sentinel without a name would turn into INTERNAL on the wire.
func TestEverySentinelIsMapped(t *testing.T) {
	if len(kinds) != len(sentinels) {
		t.Fatalf("%d kinds, %d sentinels", len(kinds), len(sentinels))
	}
	names := map[string]bool{}
	for _, s := range sentinels {
		name := Code(s)
		if name == "INTERNAL" && s != ErrInternal {
			t.Fatalf("%v has no stable name", s)
		}
		if names[name] {
			t.Fatalf("name %s used twice", name)
		}
		names[name] = true
	}
}

func TestStatusRoundTrip(t *testing.T) {
	for _, s := range sentinels {
		for _, leader := range []string{"", "m2:19998"} {
			for _, err := range []error{
				s,
				New(s, "path /a/b"),
				fmt.Errorf("create /x: %w", s),
				fmt.Errorf("outer: %w", New(s, "inner %d", 7)),
			} {
				name := fmt.Sprintf("%s/%q/%q", Code(s), leader, err)
				wire := ToStatus(err, leader)
				st, ok := status.FromError(wire)
				if !ok {
					t.Fatalf("%s: ToStatus gave a non-status error %v", name, wire)
				}
				if want := codeOf(s); st.Code() != want {
					t.Fatalf("%s: code %v, want %v", name, st.Code(), want)
				}
				back, hint := FromStatus(wire)
				if !errors.Is(back, s) {
					t.Fatalf("%s: came back as %v", name, back)
				}
				for _, other := range sentinels {
					if other != s && errors.Is(back, other) && !errors.Is(s, other) {
						t.Fatalf("%s: came back as %v too", name, other)
					}
				}
				if hint != leader {
					t.Fatalf("%s: leader hint %q, want %q", name, hint, leader)
				}
				if back.Error() != err.Error() {
					t.Fatalf("%s: message %q on the far side, %q here", name, back.Error(), err.Error())
				}
				if Code(back) != Code(err) {
					t.Fatalf("%s: Code %s, was %s", name, Code(back), Code(err))
				}
			}
		}
	}
}

func codeOf(s error) codes.Code {
	for _, k := range kinds {
		if k.err == s {
			return k.code
		}
	}
	return codes.Unknown
}

func TestFromCodeRoundTrip(t *testing.T) {
	for _, s := range sentinels {
		for _, err := range []error{s, New(s, "file %s", "/f"), fmt.Errorf("ctx: %w", s)} {
			back := FromCode(Code(err), Message(err))
			if !errors.Is(back, s) || back.Error() != err.Error() {
				t.Fatalf("FromCode(Code, Message) of %q gave %q", err, back)
			}
		}
	}
	if err := FromCode("NO_SUCH_CODE", "m"); !errors.Is(err, ErrInternal) {
		t.Fatalf("unknown code: %v", err)
	}
}

func TestNewAndMessage(t *testing.T) {
	err := New(ErrNotFound, "path %s", "/a")
	if err.Error() != "path /a: not found" || !errors.Is(err, ErrNotFound) || Message(err) != "path /a" {
		t.Fatalf("New: %q, Message %q", err, Message(err))
	}
	if Code(err) != "NOT_FOUND" || Code(errors.New("x")) != "INTERNAL" || Code(nil) != "INTERNAL" {
		t.Fatal("Code")
	}
	// The more precise kind wins where two share a code.
	if Code(New(ErrNotPrimary, "standby")) != "NOT_PRIMARY" {
		t.Fatal("ErrNotPrimary named as something else")
	}
}

func TestToStatusEdges(t *testing.T) {
	if ToStatus(nil, "x") != nil {
		t.Fatal("ToStatus(nil)")
	}
	if err, hint := FromStatus(nil); err != nil || hint != "" {
		t.Fatal("FromStatus(nil)")
	}
	// A status that is not ours passes through unchanged.
	foreign := status.Error(codes.ResourceExhausted, "quota")
	if got := ToStatus(foreign, ""); got != foreign {
		t.Fatalf("foreign status changed to %v", got)
	}
	// Context errors keep their gRPC codes, and come back as such.
	if st, _ := status.FromError(ToStatus(context.Canceled, "")); st.Code() != codes.Canceled {
		t.Fatalf("canceled: %v", st.Code())
	}
	if back, _ := FromStatus(ToStatus(fmt.Errorf("op: %w", context.Canceled), "")); !errors.Is(back, context.Canceled) {
		t.Fatalf("canceled came back as %v", back)
	}
	if st, _ := status.FromError(ToStatus(context.DeadlineExceeded, "")); st.Code() != codes.DeadlineExceeded {
		t.Fatalf("deadline: %v", st.Code())
	}
	// A plain error is internal.
	back, _ := FromStatus(ToStatus(errors.New("boom"), ""))
	if !errors.Is(back, ErrInternal) {
		t.Fatalf("plain error came back as %v", back)
	}
	// Not a status at all: returned as it is.
	plain := errors.New("plain")
	if back, _ := FromStatus(plain); back != plain {
		t.Fatalf("FromStatus(plain) = %v", back)
	}
}

// TestFromStatusWithoutDetails covers errors made by gRPC itself or by a
// server that is not ours.
func TestFromStatusWithoutDetails(t *testing.T) {
	for _, tc := range []struct {
		code codes.Code
		want error
	}{
		{codes.Unavailable, ErrUnavailable},
		{codes.DeadlineExceeded, ErrUnavailable},
		{codes.Canceled, context.Canceled},
		{codes.NotFound, ErrNotFound},
		{codes.InvalidArgument, ErrInvalidArg},
		{codes.Unimplemented, ErrInvalidArg},
		{codes.Unknown, ErrInternal},
		{codes.PermissionDenied, ErrPermission},
		{codes.Unauthenticated, ErrUnauthenticated},
		{codes.Aborted, ErrInternal},
	} {
		back, hint := FromStatus(status.Error(tc.code, "transport says no"))
		if !errors.Is(back, tc.want) || hint != "" {
			t.Fatalf("%v: %v (hint %q), want %v", tc.code, back, hint, tc.want)
		}
	}
}

// TestNarrowerSentinels: a read-only refusal is a permission error and a
// cross-mount rename an invalid argument, on both sides of the wire, while
// the narrower kind survives for callers that map errors finely (FUSE's
// EROFS and EXDEV).
func TestNarrowerSentinels(t *testing.T) {
	for _, c := range []struct{ narrow, broad error }{{ErrReadOnly, ErrPermission}, {ErrCrossMount, ErrInvalidArg}} {
		err := New(c.narrow, "rename /a to /b")
		back, _ := FromStatus(ToStatus(err, ""))
		for _, e := range []error{err, back} {
			if !errors.Is(e, c.narrow) || !errors.Is(e, c.broad) {
				t.Fatalf("%v: is %v %v, is %v %v", e, c.narrow, errors.Is(e, c.narrow), c.broad, errors.Is(e, c.broad))
			}
		}
		if errors.Is(New(c.broad, "x"), c.narrow) {
			t.Fatalf("a plain %v matches %v", c.broad, c.narrow)
		}
	}
}

func TestBareKeepsItsShapeAcrossTheWire(t *testing.T) {
	msg := "Permission denied: user=bob, access=-w-, path=/a/f: failed at a, inode owner=alice, inode group=staff, inode mode=rwxr-xr-x"
	err := Bare(ErrPermission, msg)
	back := FromCode(Code(err), Message(err))
	if back.Error() != msg || !errors.Is(back, ErrPermission) {
		t.Errorf("round trip gave %q (is ErrPermission: %v), want %q", back, errors.Is(back, ErrPermission), msg)
	}
}
