//go:build tools

// Package tools is where Go modules used to pin their code generators with
// blank imports. This module pins oapi-codegen with the `tool` directive of
// go.mod instead (`go get -tool …`, run as `go tool oapi-codegen`): a blank
// import here would make the generator, x/tools and the YAML libraries
// requirements of every module that imports this one's packages, even
// though only `go generate` in this repository runs them.
package tools
