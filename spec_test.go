package sdk

import (
	"context"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestSpecHygiene: the document is valid OpenAPI 3.0 (examples checked
// against their schemas), and every operation is named, described and
// documents the statuses Nango sends on every route.
func TestSpecHygiene(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Errorf("openapi %s: both tools support 3.0 fully", doc.OpenAPI)
	}
	ids := map[string]bool{}
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			ops = append(ops, name)
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s: missing or duplicate operationId %q", name, op.OperationID)
			}
			ids[op.OperationID] = true
			if op.Summary == "" {
				t.Errorf("%s: no summary", name)
			}
			for _, status := range []string{"400", "401", "403", "415", "429", "500", "502", "503", "504"} {
				if op.Responses.Value(status) == nil {
					t.Errorf("%s: no %s response", name, status)
				}
			}
			if strings.HasPrefix(path, "/connection/") != op.Deprecated && path != "/connection" {
				t.Errorf("%s: deprecated=%t", name, op.Deprecated)
			}
		}
	}
	sort.Strings(ops)
	for _, want := range []string{"GET /connections", "GET /connections/{connectionId}", "POST /connections", "PATCH /connections/{connectionId}"} {
		if !slices.Contains(ops, want) {
			t.Errorf("operation %s missing: %v", want, ops)
		}
	}
	// Descriptions become the godoc of the generated types: every schema and
	// every property has one (its own, or the one of the schema it refers to).
	for name, ref := range doc.Components.Schemas {
		checkDescribed(t, "#/components/schemas/"+name, ref)
	}
	kinds := doc.Components.Schemas["Credentials"].Value.Discriminator.Mapping
	for _, k := range []string{"OAUTH2", "OAUTH1", "OAUTH2_CC", "API_KEY", "BASIC", "APP", "JWT", "TBA", "TWO_STEP", "SIGNATURE", "BILL", "AWS_SIGV4", "CUSTOM"} {
		if _, ok := kinds[k]; !ok {
			t.Errorf("credentials kind %s missing from the discriminator", k)
		}
	}
}

func TestOpenAPIReturnsACopy(t *testing.T) {
	a := OpenAPI()
	a[0] = 'X'
	if OpenAPI()[0] == 'X' {
		t.Error("OpenAPI returned the embedded slice itself")
	}
}

// TestConsumersDoNotCompileKinOpenAPI: the packages a service imports to
// read tokens stay lean; only tests and the fake server need the validator.
func TestConsumersDoNotCompileKinOpenAPI(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./nango", "./gen").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "kin-openapi") || strings.Contains(dep, "gorilla/mux") || strings.Contains(dep, "yaml") {
			t.Errorf("nango/ or gen/ compiles %s", dep)
		}
	}
}

func checkDescribed(t *testing.T, where string, ref *openapi3.SchemaRef) {
	t.Helper()
	s := ref.Value
	if s.Description == "" {
		t.Errorf("%s: no description", where)
	}
	for name, prop := range s.Properties {
		if prop.Ref != "" {
			if prop.Value.Description == "" {
				t.Errorf("%s.%s: no description (nor on %s)", where, name, prop.Ref)
			}
			continue
		}
		checkDescribed(t, where+"."+name, prop)
	}
}
