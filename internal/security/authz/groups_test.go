package authz

import (
	"os/user"
	"slices"
	"testing"
	"time"
)

type countingGroups struct {
	calls  int
	groups []string
}

func (c *countingGroups) Groups(string) []string { c.calls++; return c.groups }

func TestCachedGroupsExpire(t *testing.T) {
	next := &countingGroups{groups: []string{"staff"}}
	now := time.Unix(1000, 0)
	c := &CachedGroups{Next: next, TTL: time.Minute, Now: func() time.Time { return now }}
	for range 3 {
		if g := c.Groups("bob"); !slices.Equal(g, []string{"staff"}) {
			t.Fatalf("groups %q", g)
		}
	}
	if next.calls != 1 {
		t.Fatalf("asked the OS %d times within the timeout, want once", next.calls)
	}
	next.groups = []string{"dev"}
	now = now.Add(time.Minute)
	if g := c.Groups("bob"); !slices.Equal(g, []string{"dev"}) || next.calls != 2 {
		t.Errorf("after the timeout: %q after %d calls, want the new groups from a second call", g, next.calls)
	}
	off := &CachedGroups{Next: next}
	off.Groups("bob")
	off.Groups("bob")
	if next.calls != 4 {
		t.Errorf("a zero timeout cached: %d calls", next.calls)
	}
}

func TestOSGroupsOfTheCurrentUser(t *testing.T) {
	me, err := user.Current()
	if err != nil {
		t.Skip(err)
	}
	primary, err := user.LookupGroupId(me.Gid)
	if err != nil {
		t.Skip(err)
	}
	g := OSGroups{}.Groups(me.Username)
	if len(g) == 0 || g[0] != primary.Name {
		t.Errorf("groups of %s: %q, want %s first", me.Username, g, primary.Name)
	}
	if g := (OSGroups{}).Groups("no-such-user-here-xyz"); g != nil {
		t.Errorf("an unknown user has groups %q", g)
	}
}

func TestStaticGroups(t *testing.T) {
	m, err := ParseStaticGroups(" bob=staff,dev; carol=;")
	if err != nil {
		t.Fatal(err)
	}
	s := StaticGroups{Users: m, Next: &countingGroups{groups: []string{"os"}}}
	if g := s.Groups("bob"); !slices.Equal(g, []string{"staff", "dev"}) {
		t.Errorf("bob: %q", g)
	}
	if g := s.Groups("carol"); len(g) != 0 {
		t.Errorf("carol: %q", g)
	}
	if g := s.Groups("dave"); !slices.Equal(g, []string{"os"}) {
		t.Errorf("dave: %q", g)
	}
	for _, bad := range []string{"bob", "=staff"} {
		if _, err := ParseStaticGroups(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}

func FuzzParseStaticGroups(f *testing.F) {
	f.Add("bob=staff,dev;carol=;")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ParseStaticGroups(text)
		if err != nil {
			return
		}
		for name, gs := range m {
			if name == "" || slices.Contains(gs, "") {
				t.Fatalf("%q gave user %q groups %q", text, name, gs)
			}
		}
	})
}
