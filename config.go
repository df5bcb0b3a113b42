package main

import (
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/store"
)

// config is the server's configuration, from flags and environment variables
// (a flag wins over its variable).
type config struct {
	Addr            string
	DatabaseURL     string
	SQLitePath      string
	Seed            bool
	Playground      bool
	PublicRead      bool
	CORSOrigins     []string
	ShutdownTimeout time.Duration
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	envBool := func(name string, def bool) (bool, error) {
		v := getenv(name)
		if v == "" {
			return def, nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, fmt.Errorf("%s=%q: want true or false", name, v)
		}
		return b, nil
	}
	seedDefault, err := envBool("SEED", true)
	if err != nil {
		return config{}, err
	}
	playgroundDefault, err := envBool("PLAYGROUND", true)
	if err != nil {
		return config{}, err
	}
	publicReadDefault, err := envBool("PUBLIC_READ", true)
	if err != nil {
		return config{}, err
	}

	var (
		c       config
		port    string
		origins string
	)
	fs := flag.NewFlagSet("bri-tracker", flag.ContinueOnError)
	fs.StringVar(&port, "port", env("PORT", "8080"), "TCP port to listen on (env PORT)")
	fs.StringVar(&c.DatabaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL URL; empty uses the SQLite file (env DATABASE_URL)")
	fs.StringVar(&c.SQLitePath, "sqlite-path", env("SQLITE_PATH", "./bri-tracker.db"), "SQLite database file (env SQLITE_PATH)")
	fs.BoolVar(&c.Seed, "seed", seedDefault, "fill an empty database with the demo dataset (env SEED)")
	fs.BoolVar(&c.Playground, "playground", playgroundDefault, "serve the GraphiQL playground at / (env PLAYGROUND)")
	fs.BoolVar(&c.PublicRead, "public-read", publicReadDefault, "let requests without an API key read (env PUBLIC_READ)")
	fs.StringVar(&origins, "cors-origins", getenv("CORS_ALLOWED_ORIGINS"), "comma-separated origins allowed cross-origin access; * for any; empty for none (env CORS_ALLOWED_ORIGINS)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long in-flight requests may take to finish at shutdown")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return config{}, fmt.Errorf("port %q: want a number from 0 to 65535", port)
	}
	c.Addr = ":" + port
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	return c, nil
}

func (c config) store() store.Config {
	return store.Config{DatabaseURL: c.DatabaseURL, SQLitePath: c.SQLitePath}
}

// databaseLabel names the database for logs without its password.
func (c config) databaseLabel() string {
	if c.DatabaseURL == "" {
		return c.SQLitePath
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}
