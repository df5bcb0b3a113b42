package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
)

const (
	webhooksCountQuery = `{ webhooks { totalCount } }`
	webhooksQuery      = `{ webhooks { totalCount edges { node { id url partnerID active } } } }`
	updateWebhookURL   = `mutation($id: ID!, $url: String) { updateWebhook(id: $id, url: $url) { id url } }`
	setActive          = `mutation($id: ID!, $active: Boolean) { updateWebhook(id: $id, active: $active) { id active } }`
	deleteWebhook      = `mutation($id: ID!) { deleteWebhook(id: $id) { deletedID } }`
	deliveriesCount    = `query($id: ID!) { webhookDeliveries(webhookID: $id) { totalCount } }`
	createPartner      = `mutation($name: String!) { createPartner(input: {name: $name, kind: ENTERPRISE}) { id } }`
)

type webhookList struct {
	Webhooks struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID, URL   string
				PartnerID *string
				Active    bool
			}
		}
	}
}

// doAs posts a request with key ("" for none) that must succeed and
// decodes its data into v.
func doAs(t *testing.T, s *apitest.Server, key, query string, vars map[string]any, v any) {
	t.Helper()
	res := s.DoAs(key, query, vars)
	if len(res.Errors) > 0 || res.Status != http.StatusOK {
		t.Fatalf("status %d, errors: %+v", res.Status, res.Errors)
	}
	if v != nil {
		if err := json.Unmarshal(res.Data, v); err != nil {
			t.Fatalf("decode data %s: %v", res.Data, err)
		}
	}
}

// failAs posts a request with key ("" for none) that must fail with
// exactly one error of code, and returns it.
func failAs(t *testing.T, s *apitest.Server, key, code, query string, vars map[string]any) apitest.Error {
	t.Helper()
	res := s.DoAs(key, query, vars)
	if len(res.Errors) != 1 {
		t.Fatalf("want one %s error, got status %d, errors %+v, data %s", code, res.Status, res.Errors, res.Data)
	}
	if got := res.Errors[0].Code(); got != code {
		t.Fatalf("want code %s, got %s: %s", code, got, res.Errors[0].Message)
	}
	return res.Errors[0]
}

// wantField fails the test unless e names field in extensions.field.
func wantField(t *testing.T, e apitest.Error, field string) {
	t.Helper()
	if got, _ := e.Extensions["field"].(string); got != field {
		t.Errorf("extensions.field %q, want %q (message %q)", got, field, e.Message)
	}
}

// webhookCount is how many webhooks the caller with key sees.
func webhookCount(t *testing.T, s *apitest.Server, key string) int {
	t.Helper()
	var l webhookList
	doAs(t, s, key, webhooksCountQuery, nil, &l)
	return l.Webhooks.TotalCount
}

// deliveryCount is how many deliveries the admin sees for the webhook.
func deliveryCount(t *testing.T, s *apitest.Server, id string) int {
	t.Helper()
	var ds deliveries
	s.MustOK(deliveriesCount, map[string]any{"id": id}, &ds)
	return ds.WebhookDeliveries.TotalCount
}

// newPartner creates a partner as the admin and returns its global and
// integer ids.
func newPartner(t *testing.T, s *apitest.Server, name string) (string, int) {
	t.Helper()
	var p struct{ CreatePartner struct{ ID string } }
	s.MustOK(createPartner, map[string]any{"name": name}, &p)
	id, err := globalid.Decode(p.CreatePartner.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p.CreatePartner.ID, id
}

// newWebhook creates a webhook as the caller with key and returns it.
func newWebhook(t *testing.T, s *apitest.Server, key, url string, events ...string) created {
	t.Helper()
	var wh created
	doAs(t, s, key, createWebhook, map[string]any{"url": url, "events": events}, &wh)
	return wh
}

// TestWebhookValidation proves that createWebhook refuses a URL that is not
// http(s) or that carries credentials (field url), an empty events list or
// one naming a kind twice (field events), writing nothing when it refuses;
// that updateWebhook refuses where together with clearWhere (field
// clearWhere); that updateWebhook and deleteWebhook refuse the id of
// another type (BAD_USER_INPUT, field id) and answer NOT_FOUND (field id)
// for a webhook id that does not exist.
func TestWebhookValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		wh := newWebhook(t, s, s.AdminKey, "http://127.0.0.1:9/ok", "PARTNER_CREATED")
		before := webhookCount(t, s, s.AdminKey)
		if before != 1 {
			t.Fatalf("%d webhooks, want 1", before)
		}

		for _, c := range []struct {
			name, url string
			events    []string
			field     string
			message   string
		}{
			{"ftp scheme", "ftp://example.com/x", []string{"PARTNER_CREATED"}, "url", "starts with https://"},
			{"credentials", "https://user:pw@example.com/", []string{"PARTNER_CREATED"}, "url", "no user name or password"},
			{"no events", "https://example.com/hook", []string{}, "events", "at least one kind"},
			{"an event twice", "https://example.com/hook", []string{"PARTNER_CREATED", "PROJECT_CREATED", "PARTNER_CREATED"}, "events", "PARTNER_CREATED is named twice"},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := s.MustFail("BAD_USER_INPUT", createWebhook, map[string]any{"url": c.url, "events": c.events})
				wantField(t, e, c.field)
				if !strings.Contains(e.Message, c.message) {
					t.Errorf("message %q, want it to contain %q", e.Message, c.message)
				}
				if n := webhookCount(t, s, s.AdminKey); n != before {
					t.Errorf("%d webhooks after a refused create, want %d", n, before)
				}
			})
		}

		id := wh.CreateWebhook.Webhook.ID
		e := s.MustFail("BAD_USER_INPUT", `mutation($id: ID!) {
  updateWebhook(id: $id, where: {operation: CREATE}, clearWhere: true) { id }
}`, map[string]any{"id": id})
		wantField(t, e, "clearWhere")

		// the events rules hold on update too
		e = s.MustFail("BAD_USER_INPUT", `mutation($id: ID!) { updateWebhook(id: $id, events: []) { id } }`, map[string]any{"id": id})
		wantField(t, e, "events")
		e = s.MustFail("BAD_USER_INPUT", updateWebhookURL, map[string]any{"id": id, "url": "ftp://example.com/x"})
		wantField(t, e, "url")

		partnerID, _ := newPartner(t, s, "Not a webhook")
		e = s.MustFail("BAD_USER_INPUT", updateWebhookURL, map[string]any{"id": partnerID, "url": "https://example.com/x"})
		wantField(t, e, "id")
		e = s.MustFail("BAD_USER_INPUT", deleteWebhook, map[string]any{"id": partnerID})
		wantField(t, e, "id")

		unknown := globalid.Encode(8<<32 + 999_999)
		if globalid.TypeOf(8<<32+999_999) != globalid.Webhook {
			t.Fatalf("%s is not a webhook id", unknown)
		}
		e = s.MustFail("NOT_FOUND", updateWebhookURL, map[string]any{"id": unknown, "url": "https://example.com/x"})
		wantField(t, e, "id")
		e = s.MustFail("NOT_FOUND", deleteWebhook, map[string]any{"id": unknown})
		wantField(t, e, "id")

		// nothing refused changed the webhook
		var l webhookList
		s.MustOK(webhooksQuery, nil, &l)
		if l.Webhooks.TotalCount != 1 || l.Webhooks.Edges[0].Node.URL != "http://127.0.0.1:9/ok" {
			t.Errorf("webhooks %+v", l.Webhooks)
		}
	}, apitest.AllowPrivateWebhooks())
}

// TestWebhookRefusesNonPublicAddresses proves that, without
// --webhook-allow-private, createWebhook and updateWebhook refuse URLs of
// loopback, private, link-local (the cloud metadata address), IPv4-mapped
// loopback and shared addresses, a host name that resolves to loopback,
// the unspecified address, the IPv4-mapped metadata address and NAT64 of
// loopback, with BAD_USER_INPUT naming url and saying why, writing nothing
// and leaving the webhook's URL as it was; and that public address
// literals are accepted.
func TestWebhookRefusesNonPublicAddresses(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		public := "https://93.184.216.34/hook"
		wh := newWebhook(t, s, s.AdminKey, public, "PARTNER_CREATED")
		if wh.CreateWebhook.Webhook.ID == "" || !wh.CreateWebhook.Webhook.Active {
			t.Fatalf("created %+v", wh)
		}
		id := wh.CreateWebhook.Webhook.ID

		for _, c := range []struct{ url, why string }{
			{"http://127.0.0.1:9/x", "a loopback address"},
			{"http://[::1]/", "a loopback address"},
			{"http://10.1.2.3/", "a private address"},
			{"http://192.168.0.1/", "a private address"},
			{"http://169.254.169.254/latest/meta-data", "a link-local address"},
			{"http://[::ffff:127.0.0.1]/", "a loopback address"},
			{"http://100.64.0.1/", "not a public address"},
			{"http://localhost:9/", "a loopback address"},
			// beyond the brief: 0.0.0.0 reaches the local host on Linux;
			// the metadata address IPv4-mapped; NAT64 of 127.0.0.1
			{"http://0.0.0.0:9/", "not a unicast address"},
			{"http://[::ffff:169.254.169.254]/", "a link-local address"},
			{"http://[64:ff9b::7f00:1]/", "not a public address"},
		} {
			t.Run(c.url, func(t *testing.T) {
				e := s.MustFail("BAD_USER_INPUT", createWebhook, map[string]any{"url": c.url, "events": []string{"PARTNER_CREATED"}})
				wantField(t, e, "url")
				if !strings.Contains(e.Message, c.why) || !strings.Contains(e.Message, "public addresses only") {
					t.Errorf("message %q, want it to say %q", e.Message, c.why)
				}
				if n := webhookCount(t, s, s.AdminKey); n != 1 {
					t.Errorf("%d webhooks after a refused create, want 1", n)
				}
				e = s.MustFail("BAD_USER_INPUT", updateWebhookURL, map[string]any{"id": id, "url": c.url})
				wantField(t, e, "url")
				if !strings.Contains(e.Message, c.why) {
					t.Errorf("update: message %q, want it to say %q", e.Message, c.why)
				}
			})
		}

		var l webhookList
		s.MustOK(webhooksQuery, nil, &l)
		if l.Webhooks.TotalCount != 1 || l.Webhooks.Edges[0].Node.URL != public {
			t.Errorf("after the refused updates: %+v, want the one webhook at %s", l.Webhooks, public)
		}
		// another public literal is accepted on update
		var up struct{ UpdateWebhook struct{ ID, URL string } }
		s.MustOK(updateWebhookURL, map[string]any{"id": id, "url": "https://93.184.216.35/other"}, &up)
		if up.UpdateWebhook.URL != "https://93.184.216.35/other" {
			t.Errorf("update to a public address: %+v", up)
		}
	})
}

// TestDeliveryClientRefusesNonPublic proves the delivery-time guard: the
// client a worker sends with refuses to connect to a loopback address,
// with an error wrapping ErrRefusedAddress, whether the server is named
// 127.0.0.1, localhost, 0.0.0.0 or ::ffff:127.0.0.1, before anything
// reaches it; allowing private addresses lets the same request through.
func TestDeliveryClientRefusesNonPublic(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server at %s, want 127.0.0.1", srv.URL)
	}

	post := func(c *http.Client, base string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/hook", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		return c.Do(req)
	}

	guarded := webhook.NewHTTPClient(2*time.Second, false)
	resp, err := post(guarded, srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the guarded client reached %s: status %d", srv.URL, resp.StatusCode)
	}
	if !errors.Is(err, webhook.ErrRefusedAddress) {
		t.Fatalf("error %v, want one wrapping ErrRefusedAddress", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1 is a loopback address") {
		t.Errorf("error %q does not say why", err)
	}
	// other spellings of the same server are refused as well
	port := strings.TrimPrefix(srv.URL, "http://127.0.0.1:")
	for _, host := range []string{"localhost", "0.0.0.0", "[::ffff:127.0.0.1]"} {
		resp, err := post(guarded, "http://"+host+":"+port)
		if err == nil {
			resp.Body.Close()
			t.Errorf("the guarded client reached %s: status %d", host, resp.StatusCode)
		} else if !errors.Is(err, webhook.ErrRefusedAddress) {
			t.Errorf("%s: error %v, want one wrapping ErrRefusedAddress", host, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server got %d requests, want 0", n)
	}

	resp, err = post(webhook.NewHTTPClient(2*time.Second, true), srv.URL)
	if err != nil {
		t.Fatalf("allowPrivate: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || hits.Load() != 1 {
		t.Fatalf("allowPrivate: status %d, %d requests; want 204 and 1", resp.StatusCode, hits.Load())
	}
}

// TestRedirectNotFollowed proves that a receiver's redirect is a failed
// attempt: the delivery ends FAILED with the 302 recorded and an error
// saying redirects are not followed, and the redirect's target never gets
// a request.
func TestRedirectNotFollowed(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		var targetHits atomic.Int64
		target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			targetHits.Add(1)
			w.WriteHeader(http.StatusOK)
		}))
		t.Cleanup(target.Close)
		var redirects atomic.Int64
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			redirects.Add(1)
			w.Header().Set("Location", target.URL+"/elsewhere")
			w.WriteHeader(http.StatusFound)
		}))
		t.Cleanup(redirector.Close)

		wh := newWebhook(t, s, s.AdminKey, redirector.URL+"/hook", "PARTNER_CREATED")
		cfg := fastRetries()
		cfg.MaxAttempts = 1
		startWorker(t, db, cfg)
		newPartner(t, s, "Redirected")

		d := waitStatus(t, s, wh.CreateWebhook.Webhook.ID, "FAILED")
		if d.AttemptCount != 1 || len(d.Attempts) != 1 {
			t.Fatalf("delivery %+v, want one attempt", d)
		}
		a := d.Attempts[0]
		if a.StatusCode == nil || *a.StatusCode != http.StatusFound {
			t.Errorf("attempt status %v, want 302", a.StatusCode)
		}
		if a.Error == nil || !strings.Contains(*a.Error, "redirects are not followed") || !strings.Contains(*a.Error, target.URL+"/elsewhere") {
			t.Errorf("attempt error %v, want it to say redirects are not followed and name the Location", a.Error)
		}
		if n := redirects.Load(); n != 1 {
			t.Errorf("the receiver got %d requests, want 1", n)
		}
		if n := targetHits.Load(); n != 0 {
			t.Errorf("the redirect's target got %d requests, want 0", n)
		}
	}, apitest.AllowPrivateWebhooks())
}

// TestWebhookPermissions proves who may reach webhooks: anonymous callers
// are UNAUTHENTICATED, EDITOR and VIEWER keys FORBIDDEN (to create and to
// list); a PARTNER key makes webhooks for its own partner, which another
// partner's key neither sees nor changes nor deletes nor reads the
// deliveries of (NOT_FOUND), while the admin sees every partner's; and
// the signing secret is shown only in createWebhook's answer.
func TestWebhookPermissions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		vars := map[string]any{"url": "http://127.0.0.1:9/x", "events": []string{"PARTNER_CREATED"}}

		failAs(t, s, "", "UNAUTHENTICATED", createWebhook, vars)
		failAs(t, s, "", "UNAUTHENTICATED", webhooksCountQuery, nil)
		for _, role := range []apikey.Role{apikey.RoleEDITOR, apikey.RoleVIEWER} {
			key := s.NewKey(strings.ToLower(role.String()), role, nil)
			failAs(t, s, key, "FORBIDDEN", createWebhook, vars)
			failAs(t, s, key, "FORBIDDEN", webhooksCountQuery, nil)
		}
		if n := webhookCount(t, s, s.AdminKey); n != 0 {
			t.Fatalf("%d webhooks after refused creates, want 0", n)
		}

		aGID, aID := newPartner(t, s, "Partner A")
		bGID, bID := newPartner(t, s, "Partner B")
		keyA := s.NewKey("partner-a", apikey.RolePARTNER, &aID)
		keyB := s.NewKey("partner-b", apikey.RolePARTNER, &bID)

		whA := newWebhook(t, s, keyA, "http://127.0.0.1:9/a", "PARTNER_UPDATED")
		if !strings.HasPrefix(whA.CreateWebhook.Secret, "whsec_") {
			t.Errorf("secret %q", whA.CreateWebhook.Secret)
		}
		if p := whA.CreateWebhook.Webhook.PartnerID; p == nil || *p != aGID {
			t.Fatalf("partner A's webhook has partnerID %v, want %s", p, aGID)
		}
		idA := whA.CreateWebhook.Webhook.ID

		var l webhookList
		doAs(t, s, keyA, webhooksQuery, nil, &l)
		if l.Webhooks.TotalCount != 1 || l.Webhooks.Edges[0].Node.ID != idA {
			t.Errorf("partner A sees %+v, want its webhook", l.Webhooks)
		}
		doAs(t, s, keyB, webhooksQuery, nil, &l)
		if l.Webhooks.TotalCount != 0 || len(l.Webhooks.Edges) != 0 {
			t.Errorf("partner B sees %+v, want none", l.Webhooks)
		}
		e := failAs(t, s, keyB, "NOT_FOUND", updateWebhookURL, map[string]any{"id": idA, "url": "http://127.0.0.1:9/stolen"})
		wantField(t, e, "id")
		e = failAs(t, s, keyB, "NOT_FOUND", setActive, map[string]any{"id": idA, "active": false})
		wantField(t, e, "id")
		e = failAs(t, s, keyB, "NOT_FOUND", deleteWebhook, map[string]any{"id": idA})
		wantField(t, e, "id")
		e = failAs(t, s, keyB, "NOT_FOUND", deliveriesCount, map[string]any{"id": idA})
		wantField(t, e, "webhookID")

		whB := newWebhook(t, s, keyB, "http://127.0.0.1:9/b", "PARTNER_UPDATED")
		if p := whB.CreateWebhook.Webhook.PartnerID; p == nil || *p != bGID {
			t.Fatalf("partner B's webhook has partnerID %v, want %s", p, bGID)
		}
		s.MustOK(webhooksQuery, nil, &l)
		got := map[string]string{}
		for _, e := range l.Webhooks.Edges {
			if e.Node.PartnerID != nil {
				got[e.Node.ID] = *e.Node.PartnerID
			}
		}
		if l.Webhooks.TotalCount != 2 || got[idA] != aGID || got[whB.CreateWebhook.Webhook.ID] != bGID {
			t.Errorf("the admin sees %+v, want both partners' webhooks", l.Webhooks)
		}
		// partner A's webhook is untouched by B's attempts
		doAs(t, s, keyA, webhooksQuery, nil, &l)
		if l.Webhooks.TotalCount != 1 || l.Webhooks.Edges[0].Node.URL != "http://127.0.0.1:9/a" || !l.Webhooks.Edges[0].Node.Active {
			t.Errorf("partner A's webhook is now %+v", l.Webhooks)
		}

		// the secret is in createWebhook's answer only
		res := s.Do(`{ webhooks { edges { node { secret } } } }`, nil)
		if len(res.Errors) != 1 || res.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("querying a webhook's secret: status %d, errors %+v; want GRAPHQL_VALIDATION_FAILED", res.Status, res.Errors)
		}
	}, apitest.AllowPrivateWebhooks())
}

// TestPauseAndDelete proves that an inactive webhook records no delivery
// for a matching write and records them again once active, and that
// deleteWebhook returns the deleted id and removes the webhook and its
// deliveries.
func TestPauseAndDelete(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		// no worker runs: deliveries stay as recorded
		wh := newWebhook(t, s, s.AdminKey, "https://93.184.216.34/hook", "PARTNER_CREATED")
		other := newWebhook(t, s, s.AdminKey, "https://93.184.216.34/other", "PROJECT_CREATED")
		id := wh.CreateWebhook.Webhook.ID

		newPartner(t, s, "First")
		if n := deliveryCount(t, s, id); n != 1 {
			t.Fatalf("%d deliveries after a partner's creation, want 1", n)
		}

		var up struct {
			UpdateWebhook struct {
				ID     string
				Active bool
			}
		}
		s.MustOK(setActive, map[string]any{"id": id, "active": false}, &up)
		if up.UpdateWebhook.ID != id || up.UpdateWebhook.Active {
			t.Fatalf("pause: %+v", up)
		}
		newPartner(t, s, "While paused")
		if n := deliveryCount(t, s, id); n != 1 {
			t.Errorf("%d deliveries after a write while paused, want still 1", n)
		}

		s.MustOK(setActive, map[string]any{"id": id, "active": true}, &up)
		if !up.UpdateWebhook.Active {
			t.Fatalf("resume: %+v", up)
		}
		newPartner(t, s, "Resumed")
		if n := deliveryCount(t, s, id); n != 2 {
			t.Errorf("%d deliveries after a write once resumed, want 2", n)
		}
		if n := deliveryCount(t, s, other.CreateWebhook.Webhook.ID); n != 0 {
			t.Errorf("the PROJECT_CREATED webhook has %d deliveries, want 0", n)
		}

		var del struct{ DeleteWebhook struct{ DeletedID string } }
		s.MustOK(deleteWebhook, map[string]any{"id": id}, &del)
		if del.DeleteWebhook.DeletedID != id {
			t.Errorf("deletedID %q, want %q", del.DeleteWebhook.DeletedID, id)
		}
		if n := webhookCount(t, s, s.AdminKey); n != 1 {
			t.Errorf("%d webhooks after the delete, want 1", n)
		}
		e := s.MustFail("NOT_FOUND", deliveriesCount, map[string]any{"id": id})
		wantField(t, e, "webhookID")
		e = s.MustFail("NOT_FOUND", deleteWebhook, map[string]any{"id": id})
		wantField(t, e, "id")
		// its deliveries are gone from the database too
		n, err := db.Client.WebhookDelivery.Query().Count(privacy.DecisionContext(context.Background(), privacy.Allow))
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d deliveries left in the database, want 0", n)
		}
	})
}
