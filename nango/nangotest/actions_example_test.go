package nangotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

// The fake runs a Go function where Nango would run the action's script:
// test the code that triggers actions without deploying any.
func ExampleFake_HandleAction() {
	srv, err := nangotest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.MustPut(nangotest.OAuth2("slack", "team-1", "xoxb-test"))
	var posted []string
	srv.HandleAction("slack", "post-message", func(_ context.Context, connectionID string, input json.RawMessage) (any, error) {
		var in struct{ Channel, Text string }
		_ = json.Unmarshal(input, &in)
		if in.Channel == "" {
			return nil, &nangotest.ActionError{Payload: map[string]string{"message": "no channel"}}
		}
		posted = append(posted, connectionID+" "+in.Channel+": "+in.Text)
		return map[string]string{"ts": "1700000000.000100"}, nil
	})
	client := srv.Client()
	ctx := context.Background()

	out, err := client.TriggerAction(ctx, "slack", "team-1", "post-message", map[string]string{"channel": "#ops", "text": "deployed"})
	fmt.Println(string(out), err, posted)

	_, err = client.TriggerAction(ctx, "slack", "team-1", "post-message", map[string]string{"text": "lost"})
	var actionErr *nango.ActionError
	fmt.Println(errors.As(err, &actionErr), string(actionErr.Payload))
	// Output:
	// {"ts":"1700000000.000100"} <nil> [team-1 #ops: deployed]
	// true {"message":"no channel"}
}
