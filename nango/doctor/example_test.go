package doctor_test

import (
	"context"
	"fmt"
	"log"

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
	// other read of the spec listFunctions github 200 true
	// other read of the spec listProviders  200 true
	// other read of the spec getProvider github 200 true
	// other read of the spec getScriptsConfig  200 true
	// OK: true hints: 0
}
