package nango

import (
	"fmt"
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

// Nango's limits on tags: at most 10 on a connection or end user; a key is
// a letter, then letters, digits and _-./, at most 64 characters, stored
// lower-cased; a value has at most 255 characters (and, in a list filter,
// at least one).
const (
	maxTags           = 10
	maxTagKeyLength   = 64
	maxTagValueLength = 255
)

// checkTagKey holds a tag key to Nango's rule.
func checkTagKey(key string) error {
	if key == "" {
		return invalidArgument("empty tag key")
	}
	if len(key) > maxTagKeyLength {
		return invalidArgument("tag key of %d characters, over the limit of %d", len(key), maxTagKeyLength)
	}
	for i := 0; i < len(key); i++ {
		b := key[i]
		letter := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
		if letter || (i > 0 && (b >= '0' && b <= '9' || b == '_' || b == '-' || b == '.' || b == '/')) {
			continue
		}
		return invalidArgument("tag key %q: a key is a letter, then letters, digits and _-./", key)
	}
	return nil
}

// checkTags holds tags to write to Nango's rules, so that a bad tag fails
// here, with the key named, rather than as the server's 400.
func checkTags(what string, tags map[string]string) error {
	if len(tags) > maxTags {
		return invalidArgument("%s: %d tags, over the limit of %d", what, len(tags), maxTags)
	}
	seen := make(map[string]string, len(tags))
	for k, v := range tags {
		if err := checkTagKey(k); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		lower := strings.ToLower(k)
		if other, dup := seen[lower]; dup {
			return invalidArgument("%s: tag keys %q and %q differ only by case (Nango stores keys lower-cased)", what, other, k)
		}
		seen[lower] = k
		if !utf8.ValidString(v) {
			return invalidArgument("%s: tag %q: value is not valid UTF-8", what, k)
		}
		if n := utf8.RuneCountInString(v); n > maxTagValueLength {
			return invalidArgument("%s: tag %q: value of %d characters, over the limit of %d", what, k, n, maxTagValueLength)
		}
	}
	return nil
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
	for _, f := range []struct{ what, v string }{{"FilterConnectionID", p.connectionID}, {"FilterSearch", p.search},
		{"FilterEndUser", p.endUserID}, {"FilterEndUserOrganization", p.endUserOrgID}} {
		if err := checkText(f.what, f.v); err != nil {
			return err
		}
	}
	for k, v := range p.tags {
		if err := checkText("tag key", k); err != nil {
			return err
		}
		if err := checkTagKey(k); err != nil {
			return err
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
