package nangotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"

	"github.com/nango-go/sdk/gen"
)

// zod collects the issues the server's zod schemas report for a body, in
// their order: the properties of an object in the schema's order, then its
// unknown keys. It covers what the session schemas need, not zod.
type zod struct{ issues []gen.ValidationIssue }

var emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

func (z *zod) add(code, message string, path []any) {
	is := gen.ValidationIssue{Code: code, Message: message, Path: []gen.ValidationIssue_Path_Item{}}
	for _, p := range path {
		var item gen.ValidationIssue_Path_Item
		switch p := p.(type) {
		case int:
			_ = item.FromValidationIssuePath1(p)
		default:
			_ = item.FromValidationIssuePath0(fmt.Sprint(p))
		}
		is.Path = append(is.Path, item)
	}
	z.issues = append(z.issues, is)
}

func at(path []any, more ...any) []any { return append(slices.Clone(path), more...) }

// kind is zod's name for the type of a JSON value ("undefined" when absent).
func kind(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "undefined"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func (z *zod) wrongType(want string, raw json.RawMessage, path []any) {
	z.add("invalid_type", fmt.Sprintf("Invalid input: expected %s, received %s", want, kind(raw)), path)
}

// object checks that raw is an object (or absent, unless required) and
// returns its properties; nil when absent or not an object.
func (z *zod) object(raw json.RawMessage, required bool, path []any) map[string]json.RawMessage {
	if raw == nil && !required {
		return nil
	}
	var obj map[string]json.RawMessage
	if kind(raw) != "object" || json.Unmarshal(raw, &obj) != nil {
		z.wrongType("object", raw, path)
		return nil
	}
	return obj
}

// strict reports the keys of obj its schema does not know.
func (z *zod) strict(obj map[string]json.RawMessage, known []string, path []any) {
	var unknown []string
	for k := range obj {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return
	}
	is := unrecognizedKeys(unknown)
	z.add(is.Code, is.Message, path)
}

// str checks an optional (or required) string and its length in
// characters.
func (z *zod) str(raw json.RawMessage, required bool, minLen, maxLen int, path []any) (string, bool) {
	if raw == nil && !required {
		return "", false
	}
	var s string
	if kind(raw) != "string" || json.Unmarshal(raw, &s) != nil {
		z.wrongType("string", raw, path)
		return "", false
	}
	switch n := len([]rune(s)); {
	case n < minLen:
		z.add("too_small", fmt.Sprintf("Too small: expected string to have >=%d characters", minLen), path)
		return "", false
	case maxLen > 0 && n > maxLen:
		z.add("too_big", fmt.Sprintf("Too big: expected string to have <=%d characters", maxLen), path)
		return "", false
	}
	return s, true
}

// stringMap checks a record of strings.
func (z *zod) stringMap(raw json.RawMessage, path []any) map[string]string {
	obj := z.object(raw, false, path)
	if obj == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range obj {
		if s, ok := z.str(v, true, 0, 0, at(path, k)); ok {
			out[k] = s
		}
	}
	return out
}

// tags checks tags as the server does (see checkTags).
func (z *zod) tags(raw json.RawMessage, path []any) {
	m := z.stringMap(raw, path)
	strPath := make([]string, 0, len(path))
	for _, p := range path {
		strPath = append(strPath, fmt.Sprint(p))
	}
	_, issues := checkTags(m, strPath...)
	z.issues = append(z.issues, issues...)
}

// endUser checks an end user: id, email, display_name, tags.
func (z *zod) endUser(raw json.RawMessage, required bool, path []any) {
	obj := z.object(raw, required, path)
	if obj == nil {
		return
	}
	z.str(obj["id"], true, 1, 255, at(path, "id"))
	if email, ok := z.str(obj["email"], false, 0, 255, at(path, "email")); ok && !emailPattern.MatchString(email) {
		z.add("invalid_format", "Invalid email address", at(path, "email"))
	}
	z.str(obj["display_name"], false, 0, 255, at(path, "display_name"))
	if obj["tags"] != nil {
		z.tags(obj["tags"], at(path, "tags"))
	}
	z.strict(obj, []string{"id", "email", "display_name", "tags"}, path)
}

func (z *zod) organization(raw json.RawMessage, path []any) {
	obj := z.object(raw, false, path)
	if obj == nil {
		return
	}
	z.str(obj["id"], true, 0, 255, at(path, "id"))
	z.str(obj["display_name"], false, 0, 255, at(path, "display_name"))
	z.strict(obj, []string{"id", "display_name"}, path)
}

func (z *zod) configDefaults(raw json.RawMessage, path []any) {
	obj := z.object(raw, false, path)
	for key, v := range obj {
		p := at(path, key)
		d := z.object(v, true, p)
		if d == nil {
			continue
		}
		z.str(d["user_scopes"], false, 0, 0, at(p, "user_scopes"))
		if d["authorization_params"] != nil {
			z.stringMap(d["authorization_params"], at(p, "authorization_params"))
		}
		z.object(d["connection_config"], false, at(p, "connection_config"))
		z.strict(d, []string{"user_scopes", "authorization_params", "connection_config"}, p)
	}
}

func (z *zod) overrides(raw json.RawMessage, path []any) {
	obj := z.object(raw, false, path)
	for key, v := range obj {
		p := at(path, key)
		o := z.object(v, true, p)
		if o == nil {
			continue
		}
		if s, ok := z.str(o["docs_connect"], false, 0, 0, at(p, "docs_connect")); ok && !isURL(s) {
			z.add("invalid_format", "Invalid URL", at(p, "docs_connect"))
		}
		z.strict(o, []string{"docs_connect"}, p)
	}
}

// webhookURL: a URL or "" (zod's union of the two, hence its issue).
func (z *zod) webhookURL(raw json.RawMessage, path []any) {
	if raw == nil {
		return
	}
	var s string
	if kind(raw) != "string" || json.Unmarshal(raw, &s) != nil || (s != "" && !isURL(s)) {
		z.add("invalid_union", "Invalid input", path)
	}
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (z *zod) stringArray(raw json.RawMessage, path []any) {
	if raw == nil {
		return
	}
	var arr []json.RawMessage
	if kind(raw) != "array" || json.Unmarshal(raw, &arr) != nil {
		z.wrongType("array", raw, path)
		return
	}
	for i, v := range arr {
		z.str(v, true, 1, 255, at(path, i))
	}
}
