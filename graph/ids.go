package graph

import (
	"context"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/ent/webhook"
	"github.com/bri-tracker/bri-tracker/ent/webhookdelivery"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// tables maps the API's type names to ent's node types (table names).
var tables = map[string]string{
	globalid.Partner:            partner.Table,
	globalid.Project:            project.Table,
	globalid.Policy:             openingpolicy.Table,
	globalid.ProjectParticipant: projectparticipant.Table,
	globalid.APIKey:             apikey.Table,
	globalid.AuditEvent:         auditevent.Table,
	globalid.Webhook:            webhook.Table,
	globalid.WebhookDelivery:    webhookdelivery.Table,
}

// nodeType tells ent's Noder which table holds an id, from the id alone.
func nodeType(_ context.Context, id int) (string, error) {
	if t, ok := tables[globalid.TypeOf(id)]; ok {
		return t, nil
	}
	return "", apperr.Missing("id", "no object has the id %s", globalid.Encode(id))
}

// notFound turns ent's not-found error for the object named by id into a
// NOT_FOUND error that names the argument; other errors pass unchanged.
func notFound(err error, field string, id int) error {
	if ent.IsNotFound(err) {
		return apperr.Missing(field, "no %s has the id %s", globalid.TypeOf(id), globalid.Encode(id))
	}
	return err
}
