// Package sdk is the root of the Nango Go SDK module. It holds the OpenAPI
// document that everything else is generated from or checked against.
//
// Most programs want package [github.com/nango-go/sdk/nango] instead.
package sdk

import _ "embed"

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the OpenAPI 3 document of Nango's connection API that this
// SDK is generated from. The slice is a copy: callers may modify it.
func OpenAPI() []byte {
	out := make([]byte, len(openAPI))
	copy(out, openAPI)
	return out
}
