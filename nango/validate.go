package nango

import (
	"strings"
	"unicode/utf8"
)

// maxIDLength is the server's limit on ids and keys, in characters.
const maxIDLength = 255

// checkID refuses, before any request, the values that cannot name a
// connection or integration: the server would reject them anyway, or (for "."
// and "..") the URL would silently point at another route.
func checkID(what, v string) error {
	switch {
	case v == "":
		return invalidArgument("empty %s", what)
	case v == "." || v == "..":
		return invalidArgument("%s %q is a dot segment and cannot be sent in a URL path", what, v)
	case !utf8.ValidString(v):
		return invalidArgument("%s is not valid UTF-8", what)
	case utf8.RuneCountInString(v) > maxIDLength:
		return invalidArgument("%s is %d characters long, over the limit of %d", what, utf8.RuneCountInString(v), maxIDLength)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return invalidArgument("%s contains the control character %U", what, r)
		}
	}
	return nil
}

func checkKeyAndID(providerConfigKey, connectionID string) error {
	if err := checkID("provider config key", providerConfigKey); err != nil {
		return err
	}
	return checkID("connection id", connectionID)
}

// Nango's rule for tag keys: a letter, then letters, digits and _-./, at most
// 64 characters; values at most 255 characters, and a filter's value must
// not be empty (400 invalid_query_params otherwise).
const (
	maxTagKeyLength   = 64
	maxTagValueLength = 255
)

func validTagKey(k string) bool {
	if k == "" || len(k) > maxTagKeyLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		b := k[i]
		letter := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
		if i == 0 && !letter || !letter && !(b >= '0' && b <= '9') && !strings.ContainsRune("_-./", rune(b)) {
			return false
		}
	}
	return true
}

// checkText refuses a filter value that would not reach the server as
// given: invalid UTF-8 turns into U+FFFD on the way, and control characters
// match nothing Nango stores.
func checkText(what, v string) error {
	if !utf8.ValidString(v) {
		return invalidArgument("%s is not valid UTF-8", what)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return invalidArgument("%s contains the control character %U", what, r)
		}
	}
	return nil
}

// checkListFilters checks the filters of a list before anything is sent.
func checkListFilters(p *listParams) error {
	for _, f := range []struct{ what, v string }{{"WithConnectionID", p.connectionID}, {"WithSearch", p.search},
		{"WithEndUserID", p.endUserID}, {"WithEndUserOrganizationID", p.endUserOrgID}} {
		if err := checkText(f.what, f.v); err != nil {
			return err
		}
	}
	for k, v := range p.tags {
		if err := checkText("tag key", k); err != nil {
			return err
		}
		if !validTagKey(k) {
			return invalidArgument("tag key %q: Nango takes a letter, then letters, digits and _-./, at most %d characters", k, maxTagKeyLength)
		}
		if err := checkText("value of tag "+k, v); err != nil {
			return err
		}
		if v == "" || utf8.RuneCountInString(v) > maxTagValueLength {
			return invalidArgument("value of tag %s: need 1 to %d characters", k, maxTagValueLength)
		}
	}
	return nil
}
