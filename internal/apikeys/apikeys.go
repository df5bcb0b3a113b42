// Package apikeys creates, lists and revokes API keys: the one place both
// the command line and the GraphQL admin mutations use. Who may do it is
// decided by the key table's privacy policy (admins and the system only).
package apikeys

import (
	"context"
	"fmt"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// Create makes a key and returns it with its secret, which is shown this
// once and never stored.
func Create(ctx context.Context, c *ent.Client, name string, role apikey.Role, partnerID *int) (*ent.APIKey, string, error) {
	secret := auth.NewSecret()
	k, err := c.APIKey.Create().
		SetName(name).
		SetRole(role).
		SetSecretHash(auth.Hash(secret)).
		SetHint(auth.Hint(secret)).
		SetNillablePartnerID(partnerID).
		Save(ctx)
	if err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// Revoke revokes a key; revoking a revoked key changes nothing.
func Revoke(ctx context.Context, c *ent.Client, id int) (*ent.APIKey, error) {
	if err := globalid.Require("id", id, globalid.APIKey); err != nil {
		return nil, err
	}
	k, err := c.APIKey.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.Missing("id", "no API key has the id %s", globalid.Encode(id))
	}
	if err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	if k.RevokedAt != nil {
		return k, nil
	}
	return c.APIKey.UpdateOne(k).SetRevokedAt(time.Now()).Save(ctx)
}

// List returns every key, oldest first.
func List(ctx context.Context, c *ent.Client) ([]*ent.APIKey, error) {
	return c.APIKey.Query().Order(ent.Asc(apikey.FieldID)).All(ctx)
}
