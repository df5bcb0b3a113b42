// Package graph is the GraphQL layer: the gqlgen executable schema and thin
// resolvers over ent. The handler's extensions (limits, errors,
// transactions, batching) are in internal/gqlext.
package graph

import (
	"entgo.io/ent/dialect"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/live"
	"github.com/bri-tracker/bri-tracker/internal/stats"
)

// Resolver is the root resolver. Mutations run on the transactional client
// that gqlext.Transactions puts in the context; queries use Client. Driver is the
// ent driver under Client, for the statements ent does not write itself
// (statistics, search).
type Resolver struct {
	Client *ent.Client
	Driver dialect.Driver
	// StatsCache, when set, answers repeated statistics on PostgreSQL
	// while the data is unchanged.
	StatsCache *stats.Cache
	// PageDefault is the page of a connection asked for without first,
	// where the handler's document rewrite (gqlext.Limits) has not set one.
	PageDefault int
	// DirectFields lets the executor marshal the fields that only read a
	// Go struct field of a leaf type (a title, a status) directly, without
	// gqlgen's field context and resolver chain. Set it only when no
	// handler extension intercepts fields (graphql.FieldInterceptor), for
	// such an extension would not see those fields; internal/httpapi sets
	// it from the extensions it installs.
	DirectFields bool
	// Live streams committed changes to subscriptions; nil runs none.
	Live *live.Hub
}
