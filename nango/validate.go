package nango

import (
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
