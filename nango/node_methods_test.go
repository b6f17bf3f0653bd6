package nango

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// nodeMethods are the public methods of the Node SDK's Nango class
// (@nangohq/node 0.71.4, packages/node-client/lib/index.ts), in its order.
// Kept here, not read from Nango's repository: CI has no copy of it.
var nodeMethods = []string{
	"listProviders", "getProvider", "getProviderTemplates",
	"listIntegrations", "getIntegration", "createIntegration", "createQuickstartIntegration", "updateIntegration", "deleteIntegration",
	"listFunctions", "getFunction", "getFunctionCode", "deleteFunction",
	"listConnections", "getConnection", "patchConnection", "getToken", "getRawTokenResponse",
	"getMetadata", "setMetadata", "updateMetadata", "deleteConnection",
	"getScriptsConfig", "listRecords", "pruneRecords",
	"triggerSync", "startSync", "pauseSync", "syncStatus", "updateSyncConnectionFrequency",
	"waitForConnection", "createSyncVariant", "deleteSyncVariant", "getEnvironmentVariables",
	"triggerAction", "triggerActionAsync", "getAsyncActionResult",
	"proxy", "get", "post", "put", "patch", "delete",
	"verifyWebhookSignature", "verifyIncomingWebhookRequest",
	"createConnectSession", "createReconnectSession",
}

// renamedInGo are the Node methods whose Go counterpart does not take the
// Node name (capitalised); every other row's first Go name must.
var renamedInGo = map[string]string{
	"updateSyncConnectionFrequency": "UpdateSyncFrequency",
	"verifyIncomingWebhookRequest":  "VerifyWebhook",
	"proxy":                         "ProxyClient",
	"get":                           "ProxyClient",
	"post":                          "ProxyClient",
	"put":                           "ProxyClient",
	"patch":                         "ProxyClient",
	"delete":                        "ProxyClient",
}

// goAPI lists the exported methods of Client and the exported functions of
// package nango, from its sources.
func goAPI(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || !fn.Name.IsExported() {
				continue
			}
			if fn.Recv == nil {
				names[fn.Name.Name] = true
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok && id.Name == "Client" {
				names[fn.Name.Name] = true
			}
		}
	}
	if len(names) < 40 {
		t.Fatalf("found only %d exported functions and methods", len(names))
	}
	return names
}

// TestNodeMethodsTable: the README maps every method of the Node SDK to
// its Go counterparts, first the one named after it, and each Go name
// there is a method of Client or a function of package nango.
func TestNodeMethodsTable(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n### Every method of the Node SDK, in Go\n")
	if !ok {
		t.Fatal("README has no table of the Node SDK's methods")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	code := regexp.MustCompile("`([A-Za-z]+)`")
	api := goAPI(t)
	rows := map[string][]string{}
	var order []string
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		node := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if _, dup := rows[node]; dup {
			t.Errorf("%s has two rows", node)
		}
		for _, m := range code.FindAllStringSubmatch(cells[2], -1) {
			rows[node] = append(rows[node], m[1])
		}
		order = append(order, node)
	}
	if !slices.Equal(order, nodeMethods) {
		t.Errorf("the table's Node methods:\n%v\nwant, in the Node SDK's order:\n%v", order, nodeMethods)
	}
	for _, node := range nodeMethods {
		goNames := rows[node]
		if len(goNames) == 0 {
			t.Errorf("%s: no Go counterpart in the README", node)
			continue
		}
		want, ok := renamedInGo[node]
		if !ok {
			want = strings.ToUpper(node[:1]) + node[1:]
		}
		if goNames[0] != want {
			t.Errorf("%s → %v: the first Go name is %s, want %s", node, goNames, goNames[0], want)
		}
		for _, name := range goNames {
			if !api[name] {
				t.Errorf("%s → %s: no method of Client nor function of package nango has this name", node, name)
			}
		}
	}
}
