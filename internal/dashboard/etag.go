package dashboard

import (
	"crypto/sha256"
	"encoding/hex"
)

// etag is a strong entity tag of a file's bytes.
func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}
