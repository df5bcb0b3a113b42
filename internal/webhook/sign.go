package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of every delivery, as the Standard Webhooks specification
// (standardwebhooks.com) names them, so that its receiver libraries verify
// our requests as they are.
const (
	// HeaderID is the delivery's id: the same on every attempt, for the
	// receiver to drop duplicates.
	HeaderID = "webhook-id"
	// HeaderTimestamp is when the attempt was signed, in Unix seconds.
	HeaderTimestamp = "webhook-timestamp"
	// HeaderSignature is "v1," and the base64 HMAC-SHA256, under the
	// webhook's secret, of "<id>.<timestamp>.<body>"; after a rotation, for
	// a while, a second one under the previous secret, after a space.
	HeaderSignature = "webhook-signature"
)

// secretPrefix begins every signing secret; the rest is the base64 of the
// HMAC key.
const secretPrefix = "whsec_"

// NewSecret returns a new signing secret: whsec_ and 32 random bytes in
// base64.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return secretPrefix + base64.StdEncoding.EncodeToString(b)
}

func secretKey(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(k) == 0 {
		return nil, errors.New("webhook: the secret is not whsec_ and base64")
	}
	return k, nil
}

// Sign returns the webhook-signature header of a request: "v1," and the
// base64 HMAC-SHA256 of "<id>.<timestamp>.<body>".
func Sign(secret, id string, ts int64, body []byte) (string, error) {
	k, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, k)
	fmt.Fprintf(mac, "%s.%d.", id, ts)
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("webhook: the request is not signed (webhook-id, webhook-timestamp or webhook-signature missing)")
	ErrOldTimestamp = errors.New("webhook: the timestamp is too far from now (a replayed request?)")
	ErrBadSignature = errors.New("webhook: no signature matches")
)

// Verify checks a received delivery as a receiver should: the signature
// over its id, timestamp and body under secret, and a timestamp within
// tolerance of now, which refuses a captured request replayed later. The
// header may hold several space-separated signatures (this server sends two
// while a rotated secret is kept); one match suffices.
func Verify(secret string, h http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return ErrNoSignature
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrOldTimestamp
	}
	want, err := Sign(secret, id, ts, body)
	if err != nil {
		return err
	}
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}
