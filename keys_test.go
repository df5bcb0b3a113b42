package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKeysCommand: keys made on the command line work against the server,
// are listed without their secrets, and stop working once revoked.
func TestKeysCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bri.db")
	env := func(k string) string {
		if k == "SQLITE_PATH" {
			return path
		}
		return ""
	}
	keys := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := runKeys(context.Background(), args, env, &out)
		return out.String(), err
	}
	out, err := keys("create", "--name", "ops", "--role", "admin")
	if err != nil {
		t.Fatal(err)
	}
	secret := regexp.MustCompile(`(?m)^bri_\S+$`).FindString(out)
	keyID := regexp.MustCompile(`with id (\S+)`).FindStringSubmatch(out)
	if secret == "" || keyID == nil {
		t.Fatalf("create printed %q", out)
	}
	for _, bad := range [][]string{{"create", "--name", "x", "--role", "owner"}, {"create", "--name", "x", "--role", "partner"}, {"rotate"}, {}, {"revoke"}} {
		if _, err := keys(bad...); err == nil {
			t.Errorf("keys %v accepted", bad)
		}
	}

	base, _ := startServer(t, config{SQLitePath: path, PublicRead: false})
	status, res := postGraphQL(t, base, `{ me { role key { name } } }`, secret)
	if status != http.StatusOK || res["errors"] != nil || !strings.Contains(toJSON(res["data"]), `"role":"ADMIN"`) {
		t.Fatalf("CLI key against the server: %d %v", status, res)
	}

	out, err = keys("list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "ops") || !strings.Contains(out, "ADMIN") || strings.Contains(out, secret) || !strings.Contains(out, secret[:10]) {
		t.Fatalf("list printed %q", out)
	}
	if _, err := keys("revoke", keyID[1]); err != nil {
		t.Fatal(err)
	}
	if status, _ := postGraphQL(t, base, `{ me { role } }`, secret); status != http.StatusUnauthorized {
		t.Fatalf("revoked CLI key: status %d", status)
	}
	if out, _ := keys("list"); !regexp.MustCompile(`ops .* 20\d\d-\S+Z\s*$`).MatchString(strings.TrimSpace(out)) {
		t.Fatalf("list after revoke: %q", out)
	}
}
