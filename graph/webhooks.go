package graph

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
)

// webhookFilter pairs a where argument with the JSON the client sent for
// it (its ids as the API shows them), which the webhook shows back.
func webhookFilter(ctx context.Context, where *ent.AuditEventWhereInput) (*webhook.Filter, error) {
	if where == nil {
		return nil, nil
	}
	f := &webhook.Filter{Where: where}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		args := fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
		sent, err := json.Marshal(args["where"])
		if err != nil {
			return nil, err
		}
		f.Sent = sent
	}
	return f, nil
}
