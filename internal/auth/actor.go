// Package auth says who is acting: API key secrets and their hashes, roles,
// and the actor that every request and every command carries in its context.
// The rules that use it are ent privacy policies (internal/rules), which
// every write obeys.
package auth

import (
	"context"
	"sync"
)

// Role is what an actor may do.
type Role string

// The roles. Keys carry Viewer, Editor, Partner or Admin; requests without a
// key act as Anonymous; the server's own jobs (seeding, imports, the command
// line) act as System.
const (
	Anonymous Role = "ANONYMOUS"
	Viewer    Role = "VIEWER"
	Editor    Role = "EDITOR"
	Partner   Role = "PARTNER"
	Admin     Role = "ADMIN"
	System    Role = "SYSTEM"
)

// KeyRoles are the roles an API key may have.
var KeyRoles = []Role{Viewer, Editor, Partner, Admin}

// Actor is who performs a request or a job.
type Actor struct {
	Role Role
	// Name is the API key's name, or the job's for System actors.
	Name string
	// KeyID is the API key's id; 0 without a key.
	KeyID int
	// PartnerID is the partner a Partner key is bound to.
	PartnerID int

	mu      sync.Mutex
	created map[int]bool // projects this actor created in the current request
}

// CanWrite reports whether the role may write at all.
func (a *Actor) CanWrite() bool {
	return a.Role == Editor || a.Role == Partner || a.Role == Admin || a.Role == System
}

// IsAdmin reports whether the actor may do everything.
func (a *Actor) IsAdmin() bool { return a.Role == Admin || a.Role == System }

// NoteCreated records that the actor created project id in this request.
func (a *Actor) NoteCreated(id int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.created == nil {
		a.created = map[int]bool{}
	}
	a.created[id] = true
}

// Created reports whether the actor created project id in this request.
func (a *Actor) Created(id int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.created[id]
}

type ctxKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// FromContext returns the actor in ctx, or nil.
func FromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(ctxKey{}).(*Actor)
	return a
}

// SystemContext returns ctx acting as the server's own job name, with every
// permission: for seeding, imports and the command line.
func SystemContext(ctx context.Context, name string) context.Context {
	return WithActor(ctx, &Actor{Role: System, Name: name})
}
