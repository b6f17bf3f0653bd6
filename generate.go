package sdk

// Regenerate gen/ from openapi.yaml with the generator version pinned in go.mod.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml openapi.yaml
