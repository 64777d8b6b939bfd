package pgwire

import "context"

// Running reports how many sessions are processing a message (between a
// message and their next ReadyForQuery) and how many connections are open.
func (s *Server) Running() (busy, conns int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.mu.Lock()
		if c.busy {
			busy++
		}
		c.mu.Unlock()
	}
	return busy, len(s.conns)
}

// WaitUntil waits until cond(busy, conns) holds, woken by the server's own
// state changes (no polling), or ctx ends.
func (s *Server) WaitUntil(ctx context.Context, cond func(busy, conns int) bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond(s.Running()) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
