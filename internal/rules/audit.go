package rules

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/bri-tracker/bri-tracker/internal/names"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/audit"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// unaudited fields change on every write, or follow from other fields, and
// say nothing of their own.
var unaudited = []string{"created_at", "updated_at", "version", "search_name", "search_text",
	"bbox_min_lng", "bbox_min_lat", "bbox_max_lng", "bbox_max_lat"}

// Audit records every create, update and delete of an entity type as audit
// events in the same transaction: the actor, the operation, and each changed
// field with its old and new value. Register it last, so that it records
// only writes the other hooks let through.
func Audit(typ auditevent.EntityType) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			c := m.(interface{ Client() *ent.Client }).Client()
			ids, err := affectedIDs(ctx, m)
			if err != nil {
				return nil, err
			}
			var before map[int]map[string]json.RawMessage
			if !m.Op().Is(ent.OpCreate) {
				if before, err = snapshot(ctx, c, typ, ids); err != nil {
					return nil, fmt.Errorf("audit: read %s before the write: %w", typ, err)
				}
				if typ == auditevent.EntityTypeProject && m.Op().Is(ent.OpDelete|ent.OpDeleteOne) {
					if err := addParticipations(ctx, c, before); err != nil {
						return nil, fmt.Errorf("audit: read the participations of the projects to delete: %w", err)
					}
				}
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			if m.Op().Is(ent.OpCreate) {
				id, _ := m.(interface{ ID() (int, bool) }).ID()
				ids = []int{id}
			}
			if err := record(ctx, c, typ, m, ids, before); err != nil {
				return nil, err
			}
			return v, nil
		})
	}
}

// formerParticipation is a participation a project deletion removes with
// the project, as its audit event records it.
type formerParticipation struct {
	ID        string `json:"id"`
	PartnerID string `json:"partnerID"`
	Role      string `json:"role"`
}

// addParticipations adds to the snapshots of projects about to be deleted
// their participations, which the database deletes with them (ON DELETE
// CASCADE) without audit events of their own: the deletion's event records
// them as the field participations, so that the audit trail says who took
// part, and a partner's webhook knows the project was its partner's.
func addParticipations(ctx context.Context, c *ent.Client, before map[int]map[string]json.RawMessage) error {
	ids := make([]int, 0, len(before))
	for id := range before {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil
	}
	parts, err := c.ProjectParticipant.Query().Where(projectparticipant.ProjectIDIn(ids...)).
		Order(ent.Asc(projectparticipant.FieldID)).All(ctx)
	if err != nil {
		return err
	}
	byProject := map[int][]formerParticipation{}
	for _, p := range parts {
		byProject[p.ProjectID] = append(byProject[p.ProjectID], formerParticipation{
			ID: globalid.Encode(p.ID), PartnerID: globalid.Encode(p.PartnerID), Role: p.Role.String()})
	}
	for id, fields := range before {
		if list := byProject[id]; len(list) > 0 {
			raw, err := json.Marshal(list)
			if err != nil {
				return err
			}
			fields["participations"] = raw
		}
	}
	return nil
}

// affectedIDs are the ids an update or delete will touch.
func affectedIDs(ctx context.Context, m ent.Mutation) ([]int, error) {
	if m.Op().Is(ent.OpCreate) {
		return nil, nil
	}
	if id, ok := m.(interface{ ID() (int, bool) }).ID(); ok && m.Op().Is(ent.OpUpdateOne|ent.OpDeleteOne) {
		return []int{id}, nil
	}
	return m.(interface {
		IDs(context.Context) ([]int, error)
	}).IDs(ctx)
}

// snapshot reads the rows as they are, as API-shaped field values.
func snapshot(ctx context.Context, c *ent.Client, typ auditevent.EntityType, ids []int) (map[int]map[string]json.RawMessage, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows any
	var err error
	switch typ {
	case auditevent.EntityTypePartner:
		rows, err = c.Partner.Query().Where(partner.IDIn(ids...)).All(ctx)
	case auditevent.EntityTypeProject:
		rows, err = c.Project.Query().Where(project.IDIn(ids...)).All(ctx)
	case auditevent.EntityTypePolicy:
		rows, err = c.OpeningPolicy.Query().Where(openingpolicy.IDIn(ids...)).All(ctx)
	case auditevent.EntityTypeProjectParticipant:
		rows, err = c.ProjectParticipant.Query().Where(projectparticipant.IDIn(ids...)).All(ctx)
	default:
		return nil, fmt.Errorf("no snapshot for %s", typ)
	}
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	out := make(map[int]map[string]json.RawMessage, len(list))
	for _, row := range list {
		var id int
		if err := json.Unmarshal(row["id"], &id); err != nil {
			return nil, err
		}
		fields := map[string]json.RawMessage{}
		for k, v := range row {
			if k != "id" && k != "edges" && !slices.Contains(unaudited, k) {
				fields[k] = apiValue(k, v)
			}
		}
		out[id] = fields
	}
	return out, nil
}

// record writes one audit event per affected object.
func record(ctx context.Context, c *ent.Client, typ auditevent.EntityType, m ent.Mutation, ids []int, before map[int]map[string]json.RawMessage) error {
	a := auth.FromContext(ctx)
	if a == nil {
		return fmt.Errorf("audit: a write without an actor")
	}
	op := auditevent.OperationUPDATE
	switch {
	case m.Op().Is(ent.OpCreate):
		op = auditevent.OperationCREATE
	case m.Op().Is(ent.OpDelete | ent.OpDeleteOne):
		op = auditevent.OperationDELETE
	}
	name := a.Name
	if a.Role == auth.System {
		name = "system:" + a.Name
	}
	bulk := make([]*ent.AuditEventCreate, 0, len(ids))
	for _, id := range ids {
		changes := changesOf(m, op, before[id])
		if len(changes) == 0 {
			continue
		}
		e := c.AuditEvent.Create().
			SetActorName(name).
			SetActorRole(auditevent.ActorRole(a.Role)).
			SetOperation(op).
			SetEntityType(typ).
			SetEntityID(id).
			SetChanges(changes)
		if a.KeyID != 0 {
			e.SetActorKeyID(a.KeyID)
		}
		bulk = append(bulk, e)
	}
	if len(bulk) == 0 {
		return nil
	}
	// Audit events are written only here: their policy refuses every other writer.
	if err := c.AuditEvent.CreateBulk(bulk...).Exec(privacy.DecisionContext(ctx, privacy.Allow)); err != nil {
		return fmt.Errorf("audit: record %s %s: %w", op, typ, err)
	}
	return nil
}

// changesOf lists what the mutation changed on one object.
func changesOf(m ent.Mutation, op auditevent.Operation, old map[string]json.RawMessage) []audit.Change {
	var out []audit.Change
	add := func(field string, o, n json.RawMessage) {
		if len(o) == 0 {
			o = json.RawMessage("null")
		}
		if len(n) == 0 {
			n = json.RawMessage("null")
		}
		if !bytes.Equal(o, n) {
			out = append(out, audit.Change{Field: names.LowerCamel(field), Old: o, New: n})
		}
	}
	if op == auditevent.OperationDELETE {
		for _, f := range sortedKeys(old) {
			add(f, old[f], nil)
		}
		return out
	}
	for _, f := range m.Fields() {
		if slices.Contains(unaudited, f) {
			continue
		}
		v, _ := m.Field(f)
		raw, err := json.Marshal(v)
		if err != nil {
			raw = json.RawMessage(fmt.Sprintf("%q", fmt.Sprint(v)))
		}
		add(f, old[f], apiValue(f, raw))
	}
	for _, f := range m.ClearedFields() {
		add(f, old[f], nil)
	}
	for _, e := range m.AddedEdges() {
		if ids := m.AddedIDs(e); len(ids) > 0 && !hasEdgeField(m, e) {
			add(e+"_added", nil, globalIDs(ids))
		}
	}
	for _, e := range m.RemovedEdges() {
		if ids := m.RemovedIDs(e); len(ids) > 0 && !hasEdgeField(m, e) {
			add(e+"_removed", nil, globalIDs(ids))
		}
	}
	for _, e := range m.ClearedEdges() {
		if !hasEdgeField(m, e) {
			add(e+"_cleared", nil, json.RawMessage("true"))
		}
	}
	return out
}

// hasEdgeField reports whether a unique edge is stored in a field of the
// mutated row (host_country_id...), which the field changes already show.
func hasEdgeField(m ent.Mutation, edge string) bool {
	switch edge {
	case "country", "host_country", "superseded_by", "project", "partner":
		return true
	}
	return false
}

// apiValue shows a stored value as the API does: id fields as global ids.
func apiValue(field string, v json.RawMessage) json.RawMessage {
	if field == "geometry" {
		return geometrySummary(v)
	}
	if !strings.HasSuffix(field, "_id") || string(v) == "null" {
		return v
	}
	var id int
	if err := json.Unmarshal(v, &id); err != nil {
		return v
	}
	b, _ := json.Marshal(globalid.Encode(id))
	return b
}

func globalIDs(ids []ent.Value) json.RawMessage {
	out := make([]string, 0, len(ids))
	for _, v := range ids {
		if id, ok := v.(int); ok {
			out = append(out, globalid.Encode(id))
		}
	}
	slices.Sort(out)
	b, _ := json.Marshal(out)
	return b
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// geometrySummary records a geometry by its type, size and digest: the
// geometry itself (up to megabytes) would swell every audit event, and
// the digest still tells one geometry from another.
func geometrySummary(v json.RawMessage) json.RawMessage {
	var text string
	if string(v) == "null" || json.Unmarshal(v, &text) != nil || text == "" {
		return v
	}
	var g struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal([]byte(text), &g)
	sum := sha256.Sum256([]byte(text))
	b, _ := json.Marshal(map[string]any{"type": g.Type, "bytes": len(text), "sha256": hex.EncodeToString(sum[:8])})
	return b
}
