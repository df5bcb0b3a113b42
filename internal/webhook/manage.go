package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/ent/webhookdelivery"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/audit"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// Filter is a webhook's where filter: as the server reads it, and as the
// client sent it (ids as the API shows them), to show back.
type Filter struct {
	Where *ent.AuditEventWhereInput
	Sent  json.RawMessage
}

// predicate checks the filter and returns it as stored; nil for none.
func (f *Filter) predicate() (json.RawMessage, error) {
	if f == nil || f.Where == nil {
		return nil, nil
	}
	if _, err := f.Where.P(); err != nil {
		if errors.Is(err, ent.ErrEmptyAuditEventWhereInput) {
			return nil, nil
		}
		return nil, apperr.Invalid("where", "%v", err)
	}
	b, err := json.Marshal(f.Where)
	if err != nil {
		return nil, fmt.Errorf("webhooks: store the filter: %w", err)
	}
	return b, nil
}

// Create registers a webhook and returns it with its signing secret, which
// is shown this once. Who may, and for whom, is the webhooks' privacy
// policy and hook (internal/rules).
func Create(ctx context.Context, c *ent.Client, url string, events []audit.Kind, where *Filter, description *string) (*ent.Webhook, string, error) {
	pred, err := where.predicate()
	if err != nil {
		return nil, "", err
	}
	secret := NewSecret()
	create := c.Webhook.Create().
		SetURL(url).
		SetEvents(events).
		SetSecret(secret).
		SetNillableDescription(description)
	if pred != nil {
		create.SetPredicate(pred).SetFilter(where.Sent)
	}
	w, err := create.Save(ctx)
	if err != nil {
		return nil, "", err
	}
	return w, secret, nil
}

// Changes are updateWebhook's arguments: nil leaves a field as it is.
type Changes struct {
	URL         *string
	Events      []audit.Kind
	Where       *Filter
	ClearWhere  bool
	Description *string
	Active      *bool
}

// Update changes a webhook the caller may see.
func Update(ctx context.Context, c *ent.Client, id int, ch Changes) (*ent.Webhook, error) {
	if err := globalid.Require("id", id, globalid.Webhook); err != nil {
		return nil, err
	}
	if ch.ClearWhere && ch.Where != nil {
		return nil, apperr.Invalid("clearWhere", "give where or clearWhere, not both")
	}
	upd := c.Webhook.UpdateOneID(id).
		SetNillableURL(ch.URL).
		SetNillableDescription(ch.Description).
		SetNillableActive(ch.Active)
	if ch.Events != nil {
		upd.SetEvents(ch.Events)
	}
	if ch.ClearWhere {
		upd.ClearPredicate().ClearFilter()
	}
	if ch.Where != nil {
		pred, err := ch.Where.predicate()
		if err != nil {
			return nil, err
		}
		if pred == nil {
			upd.ClearPredicate().ClearFilter()
		} else {
			upd.SetPredicate(pred).SetFilter(ch.Where.Sent)
		}
	}
	w, err := upd.Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Missing("id", "no webhook has the id %s", globalid.Encode(id))
	}
	return w, err
}

// MaxKeepPrevious is the longest an old secret may go on signing after a
// rotation.
const MaxKeepPrevious = 7 * 24 * time.Hour

// RotateSecret gives a webhook the caller may see a new secret, and returns
// it with the secret, shown this once. For keep (0 to MaxKeepPrevious) the
// old secret also signs each delivery, beside the new one.
func RotateSecret(ctx context.Context, c *ent.Client, id int, keep time.Duration) (*ent.Webhook, string, error) {
	if err := globalid.Require("id", id, globalid.Webhook); err != nil {
		return nil, "", err
	}
	if keep < 0 || keep > MaxKeepPrevious {
		return nil, "", apperr.Invalid("keepPreviousSeconds", "want 0 to %d seconds", int(MaxKeepPrevious.Seconds()))
	}
	w, err := c.Webhook.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, "", apperr.Missing("id", "no webhook has the id %s", globalid.Encode(id))
	}
	if err != nil {
		return nil, "", err
	}
	secret := NewSecret()
	upd := c.Webhook.UpdateOne(w).SetSecret(secret)
	if keep > 0 {
		upd.SetPreviousSecret(w.Secret).SetPreviousSecretExpiresAt(time.Now().UTC().Add(keep).Truncate(time.Second))
	} else {
		upd.ClearPreviousSecret().ClearPreviousSecretExpiresAt()
	}
	if w, err = upd.Save(ctx); err != nil {
		return nil, "", err
	}
	return w, secret, nil
}

// Delete deletes a webhook the caller may see, and its deliveries.
func Delete(ctx context.Context, c *ent.Client, id int) error {
	if err := globalid.Require("id", id, globalid.Webhook); err != nil {
		return err
	}
	err := c.Webhook.DeleteOneID(id).Exec(ctx)
	if ent.IsNotFound(err) {
		return apperr.Missing("id", "no webhook has the id %s", globalid.Encode(id))
	}
	return err
}

// Redeliver makes a delivery the caller may see due now, with a new round
// of attempts; its id stays, and its past attempts are kept.
func Redeliver(ctx context.Context, c *ent.Client, id int) (*ent.WebhookDelivery, error) {
	if err := globalid.Require("deliveryID", id, globalid.WebhookDelivery); err != nil {
		return nil, err
	}
	d, err := c.WebhookDelivery.Get(ctx, id) // the caller's view: its privacy rules
	if ent.IsNotFound(err) {
		return nil, apperr.Missing("deliveryID", "no webhook delivery has the id %s", globalid.Encode(id))
	}
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if d.LeasedUntil != nil && d.LeasedUntil.After(now) {
		return nil, apperr.Conflicting("deliveryID", "an attempt at delivery %s is under way: its outcome will show in attempts", globalid.Encode(id))
	}
	// Only the server writes deliveries: the caller's right was checked above.
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	n, err := c.WebhookDelivery.Update().
		Where(webhookdelivery.ID(id), webhookdelivery.Or(webhookdelivery.LeasedUntilIsNil(), webhookdelivery.LeasedUntilLTE(now))).
		ClearLeasedUntil().
		SetStatus(webhookdelivery.StatusPENDING).
		SetAttemptCount(0).
		SetNextAttemptAt(now).
		ClearDeliveredAt().
		Save(sys)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, apperr.Conflicting("deliveryID", "an attempt at delivery %s is under way: its outcome will show in attempts", globalid.Encode(id))
	}
	return c.WebhookDelivery.Get(ctx, id)
}
