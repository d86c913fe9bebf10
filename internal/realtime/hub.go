// Package realtime tells open pages that something of theirs changed, over
// server-sent events. It carries signals, not content: a page told that its
// member's notifications changed asks for what it may see, as any request
// would. Writes reach the hub through the store's change keys (see
// app.changed), here and, through PostgreSQL's LISTEN/NOTIFY, from other
// instances.
package realtime

import "sync"

// Limits keep open streams from becoming a way to exhaust the server: a
// member rarely has more than a few tabs open.
const (
	MaxPerUser = 8
	MaxStreams = 10000
)

// Hub fans a member's signals out to their open streams.
type Hub struct {
	mu     sync.Mutex
	subs   map[int64]map[chan struct{}]struct{}
	count  int
	closed bool
}

// New returns an empty hub.
func New() *Hub { return &Hub{subs: map[int64]map[chan struct{}]struct{}{}} }

// Subscribe opens a stream for a member. The channel receives a value
// whenever the member's notifications may have changed; several changes
// before it is read arrive as one. ok is false when the member or the
// server already has as many streams as the limits allow; cancel must be
// called when the stream ends.
func (h *Hub) Subscribe(userID int64) (ch <-chan struct{}, cancel func(), ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.count >= MaxStreams || len(h.subs[userID]) >= MaxPerUser {
		return nil, func() {}, false
	}
	c := make(chan struct{}, 1)
	if h.subs[userID] == nil {
		h.subs[userID] = map[chan struct{}]struct{}{}
	}
	h.subs[userID][c] = struct{}{}
	h.count++
	return c, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, open := h.subs[userID][c]; !open {
			return
		}
		delete(h.subs[userID], c)
		if len(h.subs[userID]) == 0 {
			delete(h.subs, userID)
		}
		h.count--
	}, true
}

// Notify signals every stream of the given members; all signals everyone.
func (h *Hub) Notify(userIDs []int64, all bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if all {
		for _, set := range h.subs {
			signal(set)
		}
		return
	}
	for _, id := range userIDs {
		signal(h.subs[id])
	}
}

func signal(set map[chan struct{}]struct{}) {
	for c := range set {
		select {
		case c <- struct{}{}:
		default: // one is already waiting to be read
		}
	}
}

// Close ends every stream (their channels close) and refuses new ones: a
// server shutting down does not wait for pages that would stay open forever.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, set := range h.subs {
		for c := range set {
			close(c)
		}
	}
	clear(h.subs)
	h.count = 0
}

// Streams is how many streams are open.
func (h *Hub) Streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}
