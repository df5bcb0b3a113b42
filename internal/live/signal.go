package live

import "sync"

// Signal wakes every waiter at once, any number of times: a waiter takes C
// and waits for it to close; Notify closes it and starts a new one.
type Signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// NewSignal returns a signal no one has been woken by yet.
func NewSignal() *Signal { return &Signal{ch: make(chan struct{})} }

// C is closed at the next Notify.
func (s *Signal) C() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

// Notify wakes everyone waiting on C.
func (s *Signal) Notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.ch)
	s.ch = make(chan struct{})
}
