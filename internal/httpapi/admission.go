package httpapi

import (
	"net/http"
	"sync/atomic"
)

// admission runs at most n GraphQL requests at once; the others wait their
// turn in the order they came (a Go channel's waiting senders are served
// first in, first out) until their deadline, when withTimeout answers 503
// REQUEST_TIMEOUT. On a busy server, many requests advancing together each
// take as long as all of them; taken in turn, a request waits its turn and
// then runs at full speed, so the slowest answers come sooner. It also
// bounds the database connections and memory that requests hold at once.
type admission struct {
	slots   chan struct{}
	waiting atomic.Int64 // requests waiting for a slot now
	waited  atomic.Int64 // requests that found every slot taken, in total
}

// newAdmission returns an admission of n slots; nil (no limit) when n ≤ 0.
func newAdmission(n int) *admission {
	if n <= 0 {
		return nil
	}
	return &admission{slots: make(chan struct{}, n)}
}

// wrap admits next's requests.
func (a *admission) wrap(next http.Handler) http.Handler {
	if a == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case a.slots <- struct{}{}:
		default:
			a.waited.Add(1)
			a.waiting.Add(1)
			select {
			case a.slots <- struct{}{}:
				a.waiting.Add(-1)
			case <-r.Context().Done():
				a.waiting.Add(-1)
				// withTimeout answers a passed deadline; a client that
				// went away needs no answer.
				return
			}
		}
		defer func() { <-a.slots }()
		next.ServeHTTP(w, r)
	})
}
