package schema

import (
	"errors"
	"net/url"
	"regexp"
)

var (
	iso3166Alpha3 = regexp.MustCompile(`^[A-Z]{3}$`)
	iso4217       = regexp.MustCompile(`^[A-Z]{3}$`)
	externalRefRe = regexp.MustCompile(`^[a-z][a-z0-9_-]*:\S+$`)
)

func countryCode(s string) error {
	if !iso3166Alpha3.MatchString(s) {
		return errors.New("must be an ISO 3166-1 alpha-3 code of three capital letters, such as CHN or KAZ")
	}
	return nil
}

func currencyCode(s string) error {
	if !iso4217.MatchString(s) {
		return errors.New("must be an ISO 4217 code of three capital letters, such as USD or CNY")
	}
	return nil
}

func externalRef(s string) error {
	if !externalRefRe.MatchString(s) {
		return errors.New("must look like source:identifier, such as aiddata:12345")
	}
	return nil
}

func webURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http or https URL")
	}
	return nil
}
