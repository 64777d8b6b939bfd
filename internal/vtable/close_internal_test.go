package vtable

import (
	"context"
	"testing"
)

// TestDB_Close_closesEverySession: idle sessions are closed by Close, and
// one in use when Close runs is closed when released.
func TestDB_Close_closesEverySession(t *testing.T) {
	v, err := Open(func(string) (Table, error) { return nil, nil }, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var held []*session
	for i := 0; i < 4; i++ {
		s, err := v.acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, s)
	}
	for _, s := range held[:3] {
		v.release(s, false) // idle
	}
	if n := v.db.Stats().OpenConnections; n != 4 {
		t.Fatalf("%d open connections before Close, want 4", n)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if n := v.db.Stats().OpenConnections; n != 1 {
		t.Errorf("%d open connections after Close, want only the one in use", n)
	}
	v.release(held[3], false)
	if n := v.db.Stats().OpenConnections; n != 0 {
		t.Errorf("%d open connections after the last release, want 0", n)
	}
	if len(v.sessions) != 0 {
		t.Errorf("%d sessions left", len(v.sessions))
	}
}
