package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// keyPrefix starts every secret, so that leaked keys are easy to spot and
// scanners can recognise them.
const keyPrefix = "bri_"

// NewSecret returns a new API key secret: 32 random bytes (256 bits).
func NewSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return keyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Hash is what the database keeps of a secret: its SHA-256. A secret of 256
// random bits needs no slow hash; the stored hash cannot be used as a key.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Hint is the part of a secret that may be shown and stored in the clear, to
// tell keys apart in listings.
func Hint(secret string) string {
	if len(secret) < len(keyPrefix)+6 {
		return ""
	}
	return secret[:len(keyPrefix)+6]
}

// LooksLikeSecret reports whether s has the shape of a secret this server
// issues, so that other tokens are refused without a database lookup.
func LooksLikeSecret(s string) bool {
	rest, ok := strings.CutPrefix(s, keyPrefix)
	if !ok || len(rest) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}
