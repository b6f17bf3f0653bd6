package nangotest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/internal/contract"
)

// TestReplayActionCaptures sends every action request a real Nango
// answered to the fake, in order, with the real server's actions (echo,
// fail) registered, and expects the same status, error code, validation
// issues and shape of answer. The ids of async runs the real server gave
// are mapped to the fake's.
func TestReplayActionCaptures(t *testing.T) {
	caps, err := contract.LoadCaptures("../testdata/real-nango")
	if err != nil {
		t.Fatal(err)
	}
	srv := Start(t, AllowInvalidRequests())
	// The first instance (516-520): github with connections, no action.
	srv.MustPut(OAuth2("github", "cap4-oauth2-full", "t"))
	// The second (636 on): the unauthenticated integration, connection
	// h5-issues, actions echo and fail.
	srv.AddIntegration("unauthenticated", "unauthenticated", "NONE")
	srv.MustPut(Unauthenticated("unauthenticated", "h5-issues"))
	release := make(chan struct{})
	srv.HandleAction("unauthenticated", "echo", func(ctx context.Context, _ string, input json.RawMessage) (any, error) {
		var in map[string]any
		_ = json.Unmarshal(input, &in)
		if in == nil {
			in = map[string]any{}
		}
		if _, slow := in["sleep_ms"]; slow {
			// 639 waits 4 s; here, until 640 has seen it running.
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return map[string]any{"echo": in, "at": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}, nil
	})
	srv.HandleAction("unauthenticated", "fail", func(_ context.Context, _ string, input json.RawMessage) (any, error) {
		return nil, &ActionError{Payload: map[string]any{"code": "deliberate_failure", "message": "This action always fails", "input": input}}
	})

	ids := map[string]string{} // real run id -> the fake's
	replayed := 0
	for _, c := range caps {
		u, err := url.Parse(c.URL)
		if err != nil || !strings.HasPrefix(u.Path, "/action/") {
			continue
		}
		switch c.Name {
		case "520-err-get-action-result-unknown-id":
			// That server ran without its orchestrator, so its answer
			// to any id was 500 action_script_failure; a whole Nango (and
			// the fake) answers 404 for an unknown id, as 640 shows.
			continue
		case "645-err-get-action-result-async-failed":
			// Its run was queued by 644, which was not captured: queue
			// the same one.
			ids[strings.TrimPrefix(u.Path, "/action/")] = runFailAsync(t, srv)
		}
		replayed++
		t.Run(c.Name, func(t *testing.T) {
			var realID string
			if c.Method == http.MethodGet {
				realID = strings.TrimPrefix(u.Path, "/action/")
				if fake, ok := ids[realID]; ok {
					c.URL = strings.Replace(c.URL, realID, fake, 1)
				} else {
					ids[realID] = realID
				}
			}
			req, err := c.Request(srv.URL, srv.SecretKey(), srv.SecretKey())
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.Status {
				t.Fatalf("status %d, real Nango %d\nfake: %.300s\nreal: %.300s", resp.StatusCode, c.Status, body, c.Resp)
			}
			var got, want any
			_ = json.Unmarshal(body, &got)
			_ = json.Unmarshal(c.Resp, &want)
			if c.Status >= 400 {
				if g, w := errorCode(body), errorCode(c.Resp); g != w || w == "" {
					t.Errorf("code %q, real Nango %q", g, w)
				}
				if g, w := issues(body), issues(c.Resp); g != w {
					t.Errorf("validation issues:\nfake: %s\nreal: %s", g, w)
				}
				// The whole error, the run's id aside.
				real := want
				if realID != "" {
					_ = json.Unmarshal([]byte(strings.ReplaceAll(string(c.Resp), realID, ids[realID])), &real)
				}
				if !jsonSame(got, real) {
					t.Errorf("answer:\nfake: %s\nreal: %s", body, c.Resp)
				}
			}
			gm, _ := got.(map[string]any)
			wm, _ := want.(map[string]any)
			if g, w := shape(gm), shape(wm); g != w {
				t.Errorf("shape:\nfake: %s\nreal: %s", g, w)
			}
			switch c.Status {
			case http.StatusAccepted:
				var fake, real nango.AsyncActionResponse
				_ = json.Unmarshal(body, &fake)
				_ = json.Unmarshal(c.Resp, &real)
				ids[real.ID] = fake.ID
				if resp.Header.Get("Location") != fake.StatusURL || fake.StatusURL != "/action/"+fake.ID {
					t.Errorf("Location %q, status URL %q", resp.Header.Get("Location"), fake.StatusURL)
				}
			case http.StatusOK:
				if g, w := gm["echo"], wm["echo"]; !jsonSame(g, w) {
					t.Errorf("echo %v, real Nango %v", g, w)
				}
			}
			if c.Name == "640-get-action-result-async-pending" {
				close(release)
			}
		})
	}
	if replayed < 14 {
		t.Errorf("only %d action captures replayed", replayed)
	}
}

func jsonSame(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// runFailAsync queues the fail action as 644 did and waits for its end.
func runFailAsync(t *testing.T, srv *Server) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := srv.Client()
	run, err := c.TriggerActionAsync(ctx, "unauthenticated", "h5-issues", "fail", map[string]string{"reason": "async test"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WaitForActionResult(ctx, run.ID, nango.PollInterval(time.Millisecond, 10*time.Millisecond))
	if !errors.Is(err, nango.ErrActionFailed) {
		t.Fatalf("the fail action: %v", err)
	}
	return run.ID
}
