package realtime_test

import (
	"testing"

	"practica/internal/realtime"
)

func pending(ch <-chan struct{}) bool {
	select {
	case _, open := <-ch:
		return open
	default:
		return false
	}
}

// TestHub: signals reach the member's streams only, several arrive as one,
// the limits hold, and Close ends every stream.
func TestHub(t *testing.T) {
	h := realtime.New()
	a1, cancelA1, ok1 := h.Subscribe(1)
	a2, _, ok2 := h.Subscribe(1)
	b, cancelB, ok3 := h.Subscribe(2)
	if !ok1 || !ok2 || !ok3 || h.Streams() != 3 {
		t.Fatalf("three subscriptions: ok %v %v %v, %d streams", ok1, ok2, ok3, h.Streams())
	}
	h.Notify([]int64{1}, false)
	h.Notify([]int64{1, 3}, false)
	if !pending(a1) || !pending(a2) || pending(b) {
		t.Fatal("a signal for member 1 did not reach exactly member 1's two streams")
	}
	if pending(a1) {
		t.Fatal("two signals before a read arrived as two")
	}
	h.Notify(nil, true)
	if !pending(a1) || !pending(b) {
		t.Fatal("a signal for everyone missed a stream")
	}
	cancelB()
	cancelB() // twice is harmless
	if h.Streams() != 2 {
		t.Fatalf("after a cancel: %d streams, want 2", h.Streams())
	}
	cancelA1()
	for range realtime.MaxPerUser - 1 {
		if _, _, ok := h.Subscribe(1); !ok {
			t.Fatal("refused a stream under the per-member limit")
		}
	}
	if _, _, ok := h.Subscribe(1); ok {
		t.Fatalf("accepted member 1's stream number %d", realtime.MaxPerUser+1)
	}
	pending(a2) // the signal for everyone, still unread
	h.Close()
	if _, open := <-a2; open {
		t.Fatal("a stream stayed open after Close")
	}
	if _, _, ok := h.Subscribe(2); ok || h.Streams() != 0 {
		t.Fatal("a closed hub took a new stream")
	}
}
