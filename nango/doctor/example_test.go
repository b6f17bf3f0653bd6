package doctor_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/doctor"
	"github.com/nango-go/sdk/nango/nangotest"
)

func ExampleRun() {
	// A fake Nango stands in for yours here; give Run your host and key.
	srv, err := nangotest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.MustPut(nangotest.OAuth2("github", "user-1", "gho_test"))
	// A deployed sync with records: the doctor reads them, the sync's
	// status and the function (GET /scripts/config names the model).
	_ = srv.DeployFunction("github", nangotest.Function{Name: "issues", Type: nango.FunctionTypeSync, Returns: []string{"Issue"},
		Code: "export default async function fetchData(nango) {}"})
	_ = srv.PutRecords("github", "user-1", "Issue", map[string]any{"id": "1", "title": "first"})

	rep, err := doctor.Run(context.Background(), doctor.Config{Host: srv.URL, SecretKey: srv.SecretKey()})
	if err != nil {
		log.Fatal(err) // a configuration the doctor cannot run with
	}
	for _, row := range rep.Rows {
		fmt.Println(row.Check, row.Operation, row.Target, row.Status, row.Conforms)
	}
	fmt.Println("OK:", rep.OK(), "hints:", len(rep.Hints))
	// Output:
	// list connections listConnections  200 true
	// list, page 0 of 1 item listConnections  200 true
	// list, page 1 of 1 item listConnections  200 true
	// get connection getConnection github <id 1> 200 true
	// get connection, refresh token getConnection github <id 1> 200 true
	// unknown connection getConnection github nango-doctor-unknown-… 404 true
	// unknown integration getConnection nango-doctor-unknown-… 400 true
	// malformed secret key listConnections  401 true
	// deprecated route listConnectionsLegacy  200 true
	// deprecated route getConnectionLegacy github <id 1> 200 true
	// other read of the spec getEnvironmentVariables  200 true
	// other read of the spec listIntegrations  200 true
	// other read of the spec getIntegration github 200 true
	// other read of the spec listProviders  200 true
	// other read of the spec getProvider github 200 true
	// other read of the spec getProviderTemplates github 200 true
	// other read of the spec getScriptsConfig  200 true
	// other read of the spec getSyncStatus github 200 true
	// other read of the spec listFunctions github 200 true
	// a listed function getFunction github issues 200 true
	// a listed function getFunctionCode github issues 200 true
	// records of a deployed sync listRecords github <id 1> 200 true
	// OK: true hints: 0
}
