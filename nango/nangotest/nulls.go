package nangotest

import (
	"encoding/json"

	"github.com/nango-go/sdk/gen"
)

// nullExpected is what zod names for an optional property of the import and
// patch bodies when it meets null (null is not "absent" to zod's
// .optional()); the webhook URL is a union, reported as such.
var nullExpected = map[string]string{
	"connection_id": "string", "metadata": "record", "connection_config": "object",
	"end_user": "object", "tags": "record",
}

// nullProperties returns the issues of the named top-level properties of a
// JSON object body that are null. encoding/json decodes such a property as
// absent, so the handlers would otherwise take what the server refuses
// (400 invalid_body), as the spec does.
func nullProperties(body []byte, names ...string) []gen.ValidationIssue {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return nil
	}
	var issues []gen.ValidationIssue
	for _, name := range names {
		if v, ok := obj[name]; !ok || string(v) != "null" {
			continue
		}
		if want, ok := nullExpected[name]; ok {
			issues = append(issues, issue("invalid_type", "Invalid input: expected "+want+", received null", name))
		} else {
			issues = append(issues, issue("invalid_union", "Invalid input", name))
		}
	}
	return issues
}

// truthy is JavaScript's truthiness of a decoded JSON value: the server
// tests connection_config.accountId with `!value`.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case json.Number:
		f, err := x.Float64()
		return err != nil || f != 0
	case string:
		return x != ""
	}
	return true
}
