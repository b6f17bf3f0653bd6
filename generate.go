package sdk

// Regenerate gen/ from openapi.yaml with the generator version pinned in go.mod.
//go:generate go tool oapi-codegen -config oapi-codegen.yaml openapi.yaml
