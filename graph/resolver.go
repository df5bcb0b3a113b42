// Package graph is the GraphQL layer: the gqlgen executable schema, thin
// resolvers over ent, and the server-side extensions (errors, page limits).
package graph

import (
	"entgo.io/ent/dialect"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/stats"
)

// Resolver is the root resolver. Mutations run on the transactional client
// that Transactions puts in the context; queries use Client. Driver is the
// ent driver under Client, for the statements ent does not write itself
// (statistics, search).
type Resolver struct {
	Client *ent.Client
	Driver dialect.Driver
	// StatsCache, when set, answers repeated statistics on PostgreSQL
	// while the data is unchanged.
	StatsCache *stats.Cache
}
