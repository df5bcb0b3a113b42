package store

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/bri-tracker/bri-tracker/internal/replicas"
)

// openReplicas opens a pool to each replica, with the primary's settings,
// starts watching them and routes the driver's reads.
func (d *DB) openReplicas(cfg Config) error {
	var reps []*replicas.Replica
	closeAll := func() {
		for _, r := range reps {
			_ = r.Close()
		}
	}
	for i, raw := range cfg.ReplicaURLs {
		setting := fmt.Sprintf("DATABASE_REPLICA_URLS (replica %d)", i+1)
		db, err := openPostgres(cfg, strings.TrimSpace(raw), setting)
		if err != nil {
			closeAll()
			return err
		}
		reps = append(reps, replicas.NewReplica(replicaName(raw), db, entsql.OpenDB(dialect.Postgres, db)))
	}
	set := replicas.New(d.SQL, reps, replicas.Options{MaxLag: cfg.ReplicaMaxLag, Interval: cfg.ReplicaCheckInterval, Logger: cfg.Logger})
	ctx, stop := context.WithCancel(context.Background())
	go set.Run(ctx)
	d.Replicas = set
	d.drv = replicas.NewDriver(d.drv, set, func() { stop(); closeAll() })
	return nil
}

// replicaName names a replica by its host, port and database, never its
// credentials.
func replicaName(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "replica"
	}
	return u.Host + u.Path
}
