package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/internal/apikeys"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

const keysUsage = `usage:
  bri-tracker keys create --name NAME --role viewer|editor|partner|admin [--partner PARTNER_ID]
  bri-tracker keys list
  bri-tracker keys revoke KEY_ID
(each also takes --database-url and --sqlite-path, or DATABASE_URL and SQLITE_PATH)`

// runKeys manages API keys from the command line, acting as the system.
func runKeys(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", keysUsage)
	}
	verb, args := args[0], args[1:]
	fs := flag.NewFlagSet("bri-tracker keys "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		db            store.Config
		name, role, p string
	)
	fs.StringVar(&db.DatabaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL URL; empty uses the SQLite file")
	fs.StringVar(&db.SQLitePath, "sqlite-path", envOr(getenv, "SQLITE_PATH", "./bri-tracker.db"), "SQLite database file")
	if verb == "create" {
		fs.StringVar(&name, "name", "", "what the key is for")
		fs.StringVar(&role, "role", "", "viewer, editor, partner or admin")
		fs.StringVar(&p, "partner", "", "for a partner key: the partner's id")
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\n%s", err, keysUsage)
	}
	ctx = auth.SystemContext(ctx, "command line")
	client, _, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer client.Close()

	switch verb {
	case "create":
		r := apikey.Role(strings.ToUpper(role))
		if err := apikey.RoleValidator(r); err != nil {
			return fmt.Errorf("--role %q: want viewer, editor, partner or admin", role)
		}
		var partnerID *int
		if p != "" {
			id, err := globalid.Decode(p)
			if err != nil {
				return fmt.Errorf("--partner: %v", err)
			}
			partnerID = &id
		}
		k, secret, err := apikeys.Create(ctx, client, name, r, partnerID)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created %s key %q with id %s\n", k.Role, k.Name, globalid.Encode(k.ID))
		fmt.Fprintf(out, "secret (shown once, store it now):\n%s\n", secret)
		return nil
	case "list":
		keys, err := apikeys.List(ctx, client)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tROLE\tPARTNER\tSECRET STARTS\tCREATED\tLAST USED\tREVOKED")
		for _, k := range keys {
			partner := "-"
			if k.PartnerID != nil {
				partner = globalid.Encode(*k.PartnerID)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s…\t%s\t%s\t%s\n", globalid.Encode(k.ID), k.Name, k.Role, partner, k.Hint,
				k.CreatedAt.UTC().Format(time.RFC3339), timeOrDash(k.LastUsedAt), timeOrDash(k.RevokedAt))
		}
		return w.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return fmt.Errorf("keys revoke takes one key id\n%s", keysUsage)
		}
		id, err := globalid.Decode(fs.Arg(0))
		if err != nil {
			return err
		}
		k, err := apikeys.Revoke(ctx, client, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "revoked key %q (%s) at %s\n", k.Name, globalid.Encode(k.ID), k.RevokedAt.UTC().Format(time.RFC3339))
		return nil
	default:
		return fmt.Errorf("unknown keys command %q\n%s", verb, keysUsage)
	}
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}
