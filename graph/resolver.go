// Package graph is the GraphQL layer: the gqlgen executable schema, thin
// resolvers over ent, and the server-side extensions (errors, page limits).
package graph

import "github.com/bri-tracker/bri-tracker/ent"

// Resolver is the root resolver. Mutations run on the transactional client
// that entgql.Transactioner puts in the context; queries use Client.
type Resolver struct {
	Client *ent.Client
}
