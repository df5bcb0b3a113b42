package rules

import (
	"context"
	"sync"

	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
)

// A transaction that writes many rows (an import batch, an upsert of a
// thousand projects) would otherwise ask the database the same questions
// again and again: does partner 42 exist, does this new project already
// hold this role. The answers cannot change inside the transaction except
// through its own writes, which pass these hooks, so the rules remember
// them for as long as the transaction lasts and forget them when one of
// its own writes could make them wrong (a delete). Outside a transaction
// with a memo every check asks the database, as before.

type memoKey struct{}

// WithTxMemo gives a transaction's context a memo of the facts its rules
// establish. Call it once, right after beginning the transaction, with the
// context every write of that transaction uses; never share the result
// between transactions.
func WithTxMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &txMemo{})
}

type txMemo struct {
	mu sync.Mutex
	// exists holds partner and project ids known to exist (global ids
	// carry their type, so one set serves both).
	exists map[int]struct{}
	// fresh holds the projects this transaction created, with every
	// participation added to each since: a fresh project has no others.
	fresh map[int]map[roleKey]int
}

type roleKey struct {
	partnerID int
	role      projectparticipant.Role
}

func memoFrom(ctx context.Context) *txMemo {
	m, _ := ctx.Value(memoKey{}).(*txMemo)
	return m
}

// known reports whether every id is known to exist.
func (m *txMemo) known(ids []int) bool {
	if m == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		if _, ok := m.exists[id]; !ok {
			return false
		}
	}
	return true
}

func (m *txMemo) found(ids []int) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.exists == nil {
		m.exists = map[int]struct{}{}
	}
	for _, id := range ids {
		m.exists[id] = struct{}{}
	}
}

// created records a project this transaction inserted.
func (m *txMemo) created(projectID int) {
	if m == nil {
		return
	}
	m.found([]int{projectID})
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fresh == nil {
		m.fresh = map[int]map[roleKey]int{}
	}
	m.fresh[projectID] = map[roleKey]int{}
}

// participation looks a (partner, role) up in a fresh project: known is
// false when the project is not fresh and only the database can say.
func (m *txMemo) participation(projectID, partnerID int, role projectparticipant.Role) (id int, held, known bool) {
	if m == nil {
		return 0, false, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	roles, ok := m.fresh[projectID]
	if !ok {
		return 0, false, false
	}
	id, held = roles[roleKey{partnerID, role}]
	return id, held, true
}

// linked reports whether a fresh project already links the partner (it
// holds another role in it); false when unknown.
func (m *txMemo) linked(projectID, partnerID int) bool {
	if m == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.fresh[projectID] {
		if k.partnerID == partnerID {
			return true
		}
	}
	return false
}

func (m *txMemo) added(projectID, partnerID int, role projectparticipant.Role, id int) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if roles, ok := m.fresh[projectID]; ok {
		roles[roleKey{partnerID, role}] = id
	}
}

// forget drops every fact: a delete in the transaction may have made any
// of them wrong.
func (m *txMemo) forget() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.exists, m.fresh = nil, nil
}
