package cognito

import "testing"

// FuzzEventID: reading the sequence out of any id never panics, and an id
// made for a sequence gives that sequence back.
func FuzzEventID(f *testing.F) {
	for _, s := range []string{
		"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab", "00000000-0000-4000-8000-000000000000",
		"not-a-uuid", "6f1c2d3e-4a5b-4c6d-8e7f-+123456789ab", "6f1c2d3e_4a5b_4c6d_8e7f_0123456789ab", "",
	} {
		f.Add(s, int64(1))
	}
	f.Fuzz(func(t *testing.T, id string, seq int64) {
		eventSeqOf(id)
		made, err := eventIDWithSeq(id, seq)
		if err != nil {
			return
		}
		if got, ok := eventSeqOf(made); !ok || got != seq {
			t.Fatalf("eventSeqOf(eventIDWithSeq(%q, %d) = %q) = %d, %v", id, seq, made, got, ok)
		}
		if len(made) != 36 || made[:24] != id[:24] {
			t.Fatalf("eventIDWithSeq(%q, %d) = %q changed more than the node field", id, seq, made)
		}
	})
}
